// Cold start to ready (empty and demo database, PGlite and PostgreSQL), server RSS after start,
// and login latency with 20 concurrent clients. Targets from issue 2: ready ≤ 5 s on PGlite and
// ≤ 2 s on PostgreSQL with demo data; login p99 ≤ 250 ms.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = ['--import', 'tsx/esm', 'apps/server/src/cli.ts'];
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const COLD_STARTS = 5;
const LOGIN_CLIENTS = 20;
const LOGIN_ROUNDS = 10;
const STORES = ['sha01', 'hgh01', 'nkg01', 'szv01', 'can01', 'szx01', 'xmn01', 'csx01', 'pek01', 'tsn01', 'tao01', 'sjw01'];

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
}
const round = (x: number) => Math.round(x * 10) / 10;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return round(kb / 1024);
}

interface Running {
  child: ChildProcess;
  baseUrl: string;
  readyMs: number;
  stop(): Promise<void>;
}

async function startServer(env: NodeJS.ProcessEnv, seedDemo: boolean): Promise<Running> {
  const port = await freePort();
  const started = performance.now();
  const args = [...CLI, 'start', ...(seedDemo ? ['--seed-demo'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr.slice(-1000)}`);
    const ok = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (performance.now() - started > 60_000) throw new Error('not ready within 60 s');
    await new Promise((r) => setTimeout(r, 25));
  }
  const readyMs = performance.now() - started;
  return {
    child,
    baseUrl,
    readyMs,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      child.kill('SIGKILL');
    },
  };
}

function seed(env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [...CLI, 'seed', '--demo'], {
    cwd: ROOT,
    env: { ...env, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`seed failed: ${r.stderr}`);
}

async function measureLogins(baseUrl: string) {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: LOGIN_CLIENTS }, async (_, i) => {
      const login = `${STORES[i % STORES.length]}.sales${(Math.floor(i / STORES.length) % 3) + 1}`;
      for (let round = 0; round < LOGIN_ROUNDS; round += 1) {
        const t0 = performance.now();
        const res = await fetch(`${baseUrl}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ tenant: 'demo', login, password: 'Forecourt2026' }),
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) failures += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    failures,
    p50Ms: round(quantile(latencies, 0.5)),
    p95Ms: round(quantile(latencies, 0.95)),
    p99Ms: round(quantile(latencies, 0.99)),
    perSecond: round(latencies.length / seconds),
  };
}

async function backend(kind: 'pglite' | 'postgres') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `fc-bench-${kind}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, FORECOURT_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const dbName = `fc_bench_${process.pid}`;
  const admin = kind === 'postgres' ? new pg.Client({ connectionString: PG_ADMIN }) : null;
  try {
    if (admin) {
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.query(`create database ${dbName}`);
      const url = new URL(PG_ADMIN);
      url.pathname = `/${dbName}`;
      env.DATABASE_URL = url.toString();
    }
    // 1. empty database: includes running every migration
    const empty = await startServer(env, false);
    const emptyMs = empty.readyMs;
    await empty.stop();
    // 2. demo database: seeded once, then cold-started repeatedly
    seed(env);
    const demoMs: number[] = [];
    const rss: number[] = [];
    let logins: Awaited<ReturnType<typeof measureLogins>> | null = null;
    for (let i = 0; i < COLD_STARTS; i += 1) {
      const s = await startServer(env, false);
      demoMs.push(s.readyMs);
      rss.push(rssMb(s.child.pid!));
      if (i === COLD_STARTS - 1) {
        await measureLogins(s.baseUrl); // warm-up round, not counted
        logins = await measureLogins(s.baseUrl);
      }
      await s.stop();
    }
    // The same burst at the cheaper hash cost 13; the warm-up round upgrades the stored hashes.
    const cheap = await startServer({ ...env, FORECOURT_PASSWORD_COST: '13' }, false);
    await measureLogins(cheap.baseUrl);
    const loginsCost13 = await measureLogins(cheap.baseUrl);
    await cheap.stop();
    return {
      emptyReadyMs: round(emptyMs),
      demoReadyMs: {
        median: round(median(demoMs)),
        min: round(Math.min(...demoMs)),
        max: round(Math.max(...demoMs)),
        runs: demoMs.map(round),
      },
      rssAfterStartMb: { median: round(median(rss)) },
      logins,
      loginsCost13,
    };
  } finally {
    if (admin) {
      await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
      await admin.end();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const moduleLoad: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['--import', 'tsx/esm', '-e', "await import('./apps/server/src/app.ts')"], { cwd: ROOT });
    moduleLoad.push(performance.now() - t0);
  }
  const pglite = await backend('pglite');
  const postgres = await backend('postgres');
  const targets = {
    pgliteDemoReadyLe5000ms: pglite.demoReadyMs.median <= 5000,
    postgresDemoReadyLe2000ms: postgres.demoReadyMs.median <= 2000,
    pgliteLoginP99Le250ms: (pglite.logins?.p99Ms ?? Infinity) <= 250,
    postgresLoginP99Le250ms: (postgres.logins?.p99Ms ?? Infinity) <= 250,
  };
  const result = {
    benchmark: 'startup',
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    nodeTsxModuleLoadMs: round(median(moduleLoad)),
    pglite,
    postgres,
    targets,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `startup: PGlite ready ${pglite.demoReadyMs.median} ms (empty ${pglite.emptyReadyMs}), PostgreSQL ready ${postgres.demoReadyMs.median} ms (empty ${postgres.emptyReadyMs}); ` +
      `login p99 ${pglite.logins?.p99Ms} ms PGlite / ${postgres.logins?.p99Ms} ms PostgreSQL at cost 14 (${pglite.loginsCost13.p99Ms} / ${postgres.loginsCost13.p99Ms} ms at cost 13); RSS ${pglite.rssAfterStartMb.median} / ${postgres.rssAfterStartMb.median} MB; ` +
      `targets ${Object.values(targets).every(Boolean) ? 'all met' : 'NOT all met: ' + JSON.stringify(targets)}`,
  );
}
