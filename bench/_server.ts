// Shared by the ingest and reads benchmarks: the real server process on a throw-away database,
// a logged-in session, and the small statistics every benchmark prints. Not a benchmark itself
// (run.ts skips files starting with `_`).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export type Backend = 'pglite' | 'postgres';

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
}
export const median = (xs: number[]) => quantile(xs, 0.5);
export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export function backendsOf(args: string[], fallback: 'both' | 'pg' | 'pglite' = 'both'): Backend[] {
  const b = flag(args, 'backend') ?? fallback;
  if (b === 'pg' || b === 'postgres') return ['postgres'];
  if (b === 'pglite') return ['pglite'];
  if (b === 'both') return ['pglite', 'postgres'];
  throw new Error(`--backend: pg, pglite or both, not ${b}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS (now) and VmHWM (peak since start) of a process, in MB. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: round(kb('VmRSS') / 1024), peak: round(kb('VmHWM') / 1024) };
}

/**
 * Seconds of CPU the whole machine, one process (all its threads), that process's main thread, and this
 * process spent (from /proc).
 */
export function cpuSnapshot(pid: number) {
  const total = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const idle = (total[3] ?? 0) + (total[4] ?? 0);
  const busy = total.reduce((a, b) => a + b, 0) - idle;
  const tick = 100; // USER_HZ on Linux
  const seconds = (statFile: string) => {
    const stat = fs.readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / tick;
  };
  const own = process.cpuUsage();
  return {
    machineBusy: busy / tick,
    server: seconds(`/proc/${pid}/stat`),
    serverMainThread: seconds(`/proc/${pid}/task/${pid}/stat`),
    bench: (own.user + own.system) / 1e6,
  };
}

export function loadAverages(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** A data directory, a fixed master key (so the benchmark can seal values as the server does) and, for PostgreSQL, a fresh database. */
export interface BenchDatabase {
  kind: Backend;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  masterKey: string;
  databaseUrl: string | null;
  drop(): Promise<void>;
}

export async function createBenchDatabase(kind: Backend, name: string): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `fc-bench-${name}-${kind}-`));
  const masterKey = randomBytes(32).toString('hex');
  const env: NodeJS.ProcessEnv = { ...process.env, FORECOURT_DATA_DIR: dataDir, FORECOURT_MASTER_KEY: masterKey };
  delete env.DATABASE_URL;
  let databaseUrl: string | null = null;
  const dbName = `fc_bench_${name}_${process.pid}`;
  if (kind === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const url = new URL(PG_ADMIN);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
    env.DATABASE_URL = databaseUrl;
  }
  return {
    kind,
    env,
    dataDir,
    masterKey,
    databaseUrl,
    async drop() {
      if (kind === 'postgres' && !process.env.BENCH_KEEP) {
        const admin = new pg.Client({ connectionString: PG_ADMIN });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
        await admin.end();
      }
      if (!process.env.BENCH_KEEP) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RunningServer {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** `forecourt start --seed-demo`, as `npm start` runs it, waiting for /readyz. */
export async function startServer(env: NodeJS.ProcessEnv, extraArgs: string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const started = performance.now();
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, ...extraArgs, '--import', 'tsx/esm', 'apps/server/src/cli.ts', 'start', '--seed-demo'],
    {
      cwd: ROOT,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-20_000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr.slice(-2000)}`);
    const ok = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (performance.now() - started > 120_000) throw new Error('server not ready within 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    pid: child.pid!,
    baseUrl,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      child.kill('SIGKILL');
    },
  };
}

export interface Session {
  get<T>(url: string): Promise<{ status: number; body: T }>;
  post<T>(url: string, body: unknown): Promise<{ status: number; body: T }>;
}

/** Log in as a demo user (password Forecourt2026) and return a client that sends the cookie and CSRF token. */
export async function loginAs(baseUrl: string, login = 'admin'): Promise<Session> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', login, password: 'Forecourt2026' }),
  });
  if (res.status !== 200) throw new Error(`login ${login}: ${res.status} ${await res.text()}`);
  const me = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.getSetCookie().find((c) => c.startsWith('fc_session=')) ?? '').split(';')[0]!;
  const call = async <T>(method: string, url: string, body?: unknown) => {
    const r = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return { get: (url) => call('GET', url), post: (url, body) => call('POST', url, body) };
}
