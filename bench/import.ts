// Customer import, end to end: a 1,000,000-row customer CSV (Chinese names, phones in several spellings,
// e-mails, cities, tags, consent; about 1 % bad rows; 2 % repeats of an earlier customer, half of them the
// very same row) uploaded to the real server process, mapped, and run as the import job with One ID
// resolution, on PostgreSQL and on PGlite. In the same run, the physical baseline: a raw COPY of the same
// file into a plain table of text columns, in the same database.
// `npm run bench -- import [--rows N] [--backend pg|pglite|both] [--keep]`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ImportPreview, ImportView } from '../packages/contracts/src/index.js';
import { writeCustomerCsv } from './_customer-csv.js';
import { spawn } from 'node:child_process';
import {
  backendsOf,
  cpuSnapshot,
  createBenchDatabase,
  flag,
  freePort,
  loadAverages,
  memoryMb,
  ROOT,
  round,
  type Backend,
} from './_server.js';

const TARGET_SECONDS: Record<Backend, number> = { postgres: 90, pglite: 240 };
/** The targets are for a file of this many rows; a smaller run is projected to it, not judged. */
const TARGET_ROWS = 1_000_000;

/** `forecourt start --seed-demo` with its log kept in `logFile`: a server that dies mid-import says why. */
async function startServer(env: NodeJS.ProcessEnv, logFile: string) {
  const port = await freePort();
  const log = fs.openSync(logFile, 'w');
  let closed = false;
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server, as in the other benchmarks.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'apps/server/bin/forecourt.mjs', 'start', '--seed-demo'], {
    cwd: ROOT,
    // info: a shutdown is logged with the signal that caused it.
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', log, log],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}; see ${logFile}`);
    if (
      await fetch(`${baseUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (performance.now() - started > 120_000) throw new Error('server not ready within 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    baseUrl,
    log: () => fs.readFileSync(logFile, 'utf8').slice(-3000),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!closed) fs.closeSync(log);
      closed = true;
    },
  };
}

interface Client {
  call<T>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
}

async function login(baseUrl: string): Promise<Client> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', login: 'admin', password: 'Forecourt2026' }),
  });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.getSetCookie().find((c) => c.startsWith('fc_session=')) ?? '').split(';')[0]!;
  return {
    async call<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
      const stream = body instanceof Readable;
      const r = await fetch(`${baseUrl}${url}`, {
        method,
        headers: {
          cookie,
          'x-csrf-token': csrfToken,
          ...(body === undefined || stream ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : stream ? (Readable.toWeb(body) as ReadableStream) : JSON.stringify(body),
        ...(stream ? { duplex: 'half' } : {}),
      } as RequestInit);
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
    },
  };
}

interface Measured {
  backend: Backend;
  rows: number;
  uploadSeconds: number;
  jobSeconds: number;
  totalSeconds: number;
  rowsPerSecond: number;
  okRows: number;
  errorRows: number;
  duplicateRows: number;
  outcome: ImportView['outcome'];
  serverPeakRssMb: number;
  benchPeakRssMb: number;
  copySeconds: number;
  copyRowsPerSecond: number;
  ratio: number;
  profiles: number;
  importEvents: number;
  /**
   * CPU seconds spent during the job: the whole machine, the server process (all threads), its main thread
   * (on PGlite also the database's), and the rest (PostgreSQL, and anything else running). `floorSeconds`: the
   * job could not be shorter on this machine doing the same work, however well it overlapped: the machine's
   * CPU ÷ its cores, and on PGlite at least the main thread's CPU (the database runs on it).
   */
  cpu: { machineBusySeconds: number; serverSeconds: number; serverMainThreadSeconds: number; otherSeconds: number; floorSeconds: number };
  targetSeconds: number;
  /** Seconds for 1,000,000 rows at this run's rate (this run's own time when it was 1,000,000 rows). */
  projectedSeconds: number;
  /** null: fewer rows than the target is for. */
  met: boolean | null;
}

async function runOn(backend: Backend, file: string, rows: number): Promise<Measured> {
  const db = await createBenchDatabase(backend, 'import');
  const logFile = path.join(os.tmpdir(), `fc-bench-import-${backend}-server.log`);
  const server = await startServer({ ...db.env, FORECOURT_IMPORT_MAX_MB: '4096' }, logFile);
  let benchPeak = process.memoryUsage.rss();
  const sampler = setInterval(() => (benchPeak = Math.max(benchPeak, process.memoryUsage.rss())), 500);
  try {
    const client = await login(server.baseUrl);
    const started = performance.now();
    const up = await client.call<ImportPreview>('POST', `/api/imports?fileName=customers.csv`, fs.createReadStream(file), {
      'content-type': 'text/csv',
    });
    if (up.status !== 201) throw new Error(`upload: ${up.status} ${JSON.stringify(up.body)}`);
    const id = up.body.import.id;
    const saved = await client.call<ImportPreview>('PUT', `/api/imports/${id}/mapping`, {
      mapping: up.body.mapping,
      version: up.body.import.version,
    });
    if (saved.status !== 200) throw new Error(`mapping: ${saved.status} ${JSON.stringify(saved.body)}`);
    const uploadSeconds = (performance.now() - started) / 1000;
    const run = await client.call<ImportView>('POST', `/api/imports/${id}/start`, { dryRun: false, version: saved.body.import.version });
    if (run.status !== 202) throw new Error(`start: ${run.status} ${JSON.stringify(run.body)}`);
    const cpu0 = cpuSnapshot(server.pid);
    let view = run.body;
    let lastPrint = 0;
    while (view.status !== 'done') {
      if (view.status === 'failed' || view.status === 'cancelled') throw new Error(`import ${view.status}: ${view.failure}`);
      await new Promise((r) => setTimeout(r, 1000));
      view = (await client.call<ImportView>('GET', `/api/imports/${id}`)).body;
      if (performance.now() - lastPrint > 15_000) {
        lastPrint = performance.now();
        console.error(
          `  ${backend}: ${view.status} ${view.processedRows.toLocaleString('en')} rows, ${view.percent} %, ${view.rowsPerSecond ?? '–'} rows/s`,
        );
      }
    }
    const totalSeconds = (performance.now() - started) / 1000;
    const jobSeconds = (Date.parse(view.finishedAt!) - Date.parse(view.startedAt!)) / 1000;
    const cpu1 = cpuSnapshot(server.pid);
    const serverPeakRssMb = memoryMb(server.pid).peak;
    await server.stop();
    const machineBusySeconds = cpu1.machineBusy - cpu0.machineBusy;
    const serverSeconds = cpu1.server - cpu0.server;
    const mainThreadSeconds = cpu1.serverMainThread - cpu0.serverMainThread;

    // The baseline: the same file, COPYed into a plain table of text columns in the same database.
    const counted = { profiles: 0, importEvents: 0 };
    let copySeconds: number;
    const columns = Array.from({ length: 13 }, (_, i) => `c${i} text`).join(', ');
    if (backend === 'postgres') {
      const pgClient = new pg.Client({ connectionString: db.databaseUrl! });
      await pgClient.connect();
      counted.profiles = Number((await pgClient.query('select count(*) as n from profiles where merged_into is null')).rows[0].n);
      counted.importEvents = Number((await pgClient.query(`select count(*) as n from events where type = 'import'`)).rows[0].n);
      await pgClient.query(`create table bench_copy_customers (${columns})`);
      const t0 = performance.now();
      await pipeline(
        fs.createReadStream(file),
        pgClient.query(copyFrom('copy bench_copy_customers from stdin with (format csv, header true)')),
      );
      copySeconds = (performance.now() - t0) / 1000;
      await pgClient.end();
    } else {
      const lite = await PGlite.create({ dataDir: path.join(db.dataDir, 'pglite') });
      counted.profiles = Number(
        (await lite.query<{ n: number }>('select count(*)::int as n from profiles where merged_into is null')).rows[0]!.n,
      );
      counted.importEvents = Number(
        (await lite.query<{ n: number }>(`select count(*)::int as n from events where type = 'import'`)).rows[0]!.n,
      );
      await lite.exec(`create table bench_copy_customers (${columns})`);
      const blob = new Blob([fs.readFileSync(file)]);
      const t0 = performance.now();
      await lite.query(`copy bench_copy_customers from '/dev/blob' with (format csv, header true)`, [], { blob });
      copySeconds = (performance.now() - t0) / 1000;
      await lite.close();
    }
    return {
      backend,
      rows,
      uploadSeconds: round(uploadSeconds, 1),
      jobSeconds: round(jobSeconds, 1),
      totalSeconds: round(totalSeconds, 1),
      rowsPerSecond: Math.round(rows / totalSeconds),
      okRows: view.okRows,
      errorRows: view.errorRows,
      duplicateRows: view.duplicateRows,
      outcome: view.outcome,
      serverPeakRssMb,
      benchPeakRssMb: round(benchPeak / 2 ** 20),
      copySeconds: round(copySeconds, 2),
      copyRowsPerSecond: Math.round(rows / copySeconds),
      ratio: round(totalSeconds / copySeconds, 1),
      ...counted,
      cpu: {
        machineBusySeconds: round(machineBusySeconds),
        serverSeconds: round(serverSeconds),
        serverMainThreadSeconds: round(mainThreadSeconds),
        otherSeconds: round(machineBusySeconds - serverSeconds - (cpu1.bench - cpu0.bench)),
        floorSeconds: round(Math.max(machineBusySeconds / os.cpus().length, backend === 'pglite' ? mainThreadSeconds : 0)),
      },
      targetSeconds: TARGET_SECONDS[backend],
      projectedSeconds: round((totalSeconds * TARGET_ROWS) / rows),
      met: rows >= TARGET_ROWS ? totalSeconds <= TARGET_SECONDS[backend] : null,
    };
  } catch (err) {
    console.error(`server log (${logFile}):\n${server.log()}`);
    throw err;
  } finally {
    clearInterval(sampler);
    await server.stop();
    await db.drop();
  }
}

export async function main(args: string[] = []): Promise<void> {
  const rows = Number(flag(args, 'rows') ?? 1_000_000);
  const backends = backendsOf(args, 'both');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-bench-import-'));
  const file = path.join(dir, 'customers.csv');
  try {
    await writeCustomerCsv(file, rows, { repeats: 0.02 });
    const fileMb = round(fs.statSync(file).size / 2 ** 20);
    const results: Measured[] = [];
    for (const backend of backends) {
      console.error(`import: ${rows.toLocaleString('en')} rows on ${backend} (load ${loadAverages()})`);
      results.push(await runOn(backend, file, rows));
    }
    console.log(
      JSON.stringify(
        {
          benchmark: 'import',
          machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${loadAverages()}`,
          fileMb,
          results,
        },
        null,
        2,
      ),
    );
    for (const r of results) {
      console.log(
        `import (${r.backend}): ${r.rows.toLocaleString('en')} rows (${fileMb} MB) uploaded in ${r.uploadSeconds} s and imported in ${r.jobSeconds} s, ` +
          `${r.totalSeconds} s end to end = ${r.rowsPerSecond.toLocaleString('en')} rows/s ` +
          (r.met === null
            ? `(${TARGET_ROWS.toLocaleString('en')} rows at this rate: ${r.projectedSeconds} s; target ≤ ${r.targetSeconds} s for ${TARGET_ROWS.toLocaleString('en')} rows); `
            : `(target ≤ ${r.targetSeconds} s: ${r.met ? 'met' : 'NOT met'}); `) +
          `CPU during the job ${r.cpu.machineBusySeconds} s of the machine's ${os.cpus().length} cores (server ${r.cpu.serverSeconds} s, of which its main thread ${r.cpu.serverMainThreadSeconds} s; database and the rest ${r.cpu.otherSeconds} s: no shorter than ${r.cpu.floorSeconds} s here); ` +
          `${r.okRows.toLocaleString('en')} ok, ${r.errorRows.toLocaleString('en')} errors, ${r.duplicateRows.toLocaleString('en')} duplicates; ` +
          `COPY of the same file ${r.copySeconds} s (${r.ratio}× faster); server peak RSS ${r.serverPeakRssMb} MB`,
      );
    }
  } finally {
    if (!args.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${file}`);
  }
}
