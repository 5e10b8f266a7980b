// Sales pipeline (issue 4), on PostgreSQL and PGlite:
//  1. intake to assignment: POST /v1/leads (routing, SLA timer, first-contact task, notification queued, One ID,
//     timeline event) at a fixed arrival rate (open loop: a lead every 1/rate s whatever the answers do);
//     latency p50/p95/p99 per lead; target p99 ≤ 50 ms at 50 leads/s on PostgreSQL;
//  2. workbench and lead-list queries with `--leads` leads in the tenant (seeded with their whole history by
//     the demo generator, `forecourt seed --demo --scale N`): p50/p95 per query as the console asks them,
//     for a consultant, a store manager and the OEM admin; target p95 ≤ 100 ms with 1,000,000 leads;
//  3. the SLA sweep over `--sweep` open leads that all need a reminder or a breach: median of 5 runs;
//     target ≤ 1 s for 100,000.
// `npm run bench -- leads [--backend pg|pglite|both] [--leads 1000000] [--pglite-leads 100000] [--rate 50]
//   [--duration 60] [--requests 200] [--sweep 100000]`
import { sql } from 'drizzle-orm';
import { deriveKeys } from '../apps/server/src/platform/crypto.js';
import { loadMasterKey, openDatabase, runMigrations, type Database } from '../apps/server/src/platform/db.js';
import { seedDemo } from '../apps/server/src/seed/demo.js';
import { seedDemoLeads } from '../apps/server/src/seed/demo-leads.js';
import { runSlaSweep } from '../apps/server/src/modules/leads/sla.js';
import {
  backendsOf,
  createBenchDatabase,
  flag,
  loadAverages,
  loginAs,
  median,
  quantile,
  round,
  startServer,
  type Backend,
  type BenchDatabase,
  type Session,
} from './_server.js';

const STORES = ['SHA01', 'HGH01', 'NKG01', 'SZV01', 'CAN01', 'SZX01', 'XMN01', 'CSX01', 'PEK01', 'TSN01', 'TAO01', 'SJW01'];
const MODELS = ['星驰 S7 2026款', '星驰 X5 2026款', '星驰 E3 2026款', '星驰 M9 2026款'];

interface BackendResult {
  backend: Backend;
  leads: number;
  seedSeconds: number;
  intake: { rate: number; sent: number; ok: number; assigned: number; p50: number; p95: number; p99: number; max: number };
  queries: Record<string, { p50: number; p95: number; n: number }>;
  sweep: Array<{ openLeads: number; due: number; runsMs: number[]; medianMs: number; result: unknown }>;
  loadAverage: { before: string; after: string };
}

async function openInProcess(db: BenchDatabase): Promise<Database> {
  const database = await openDatabase({ databaseUrl: db.databaseUrl ?? undefined, dataDir: db.dataDir });
  await runMigrations(database);
  return database;
}

async function seed(db: BenchDatabase, leads: number): Promise<number> {
  const database = await openInProcess(db);
  const keys = deriveKeys(loadMasterKey(db.masterKey, db.dataDir), undefined);
  const started = performance.now();
  await seedDemo(database, keys);
  for (let done = 0; done < leads; done += 50_000) {
    const n = Math.min(50_000, leads - done);
    await seedDemoLeads(database, keys, { leads: n, seed: 1000 + done, firstIndex: done });
    process.stderr.write(`  seeded ${done + n} leads (${Math.round((performance.now() - started) / 1000)} s)\n`);
  }
  if (database.kind === 'postgres') await database.db.execute(sql`analyze`);
  await database.close();
  return (performance.now() - started) / 1000;
}

/** Open loop: one lead every 1000/rate ms for `duration` s, each timed from send to answer. */
async function intake(baseUrl: string, writeKey: string, rate: number, duration: number) {
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const latencies: number[] = [];
  let ok = 0;
  let assigned = 0;
  let sent = 0;
  const inFlight: Promise<unknown>[] = [];
  const started = performance.now();
  const runId = Date.now().toString(36);
  for (let i = 0; ; i++) {
    const due = started + (i * 1000) / rate;
    if (due - started > duration * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent += 1;
    const body = {
      externalId: `bench-${runId}-${i}`,
      customer: {
        name: `压测客户${i}`,
        phone: `1${3 + (i % 7)}${String(100_000_000 + ((i * 7919 + Number.parseInt(runId.slice(-4), 36)) % 900_000_000)).slice(0, 9)}`,
      },
      vehicle: { brand: '星驰', model: MODELS[i % MODELS.length], condition: 'new' },
      preferredStoreCode: STORES[i % STORES.length],
      campaign: 'bench',
    };
    const t0 = performance.now();
    inFlight.push(
      fetch(`${baseUrl}/v1/leads`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
        .then(async (res) => {
          const json = (await res.json()) as { results?: Array<{ status: string; ownerUserId: string | null }> };
          latencies.push(performance.now() - t0);
          if (res.ok && json.results?.[0]) {
            ok += 1;
            if (json.results[0].ownerUserId) assigned += 1;
          }
        })
        .catch(() => latencies.push(performance.now() - t0)),
    );
  }
  await Promise.all(inFlight);
  return {
    rate,
    sent,
    ok,
    assigned,
    p50: round(quantile(latencies, 0.5)),
    p95: round(quantile(latencies, 0.95)),
    p99: round(quantile(latencies, 0.99)),
    max: round(Math.max(...latencies)),
  };
}

async function timeQueries(sessions: Record<string, Session>, requests: number) {
  const queries: Array<[string, string, string]> = [
    ['consultant: workbench my new leads', 'consultant', '/api/leads?owner=me&stage=new&sort=due&limit=20'],
    ['consultant: tasks due today', 'consultant', '/api/tasks?owner=me&status=open&due=today'],
    ['consultant: overdue tasks', 'consultant', '/api/tasks?owner=me&status=open&due=overdue'],
    ['consultant: my lead list', 'consultant', '/api/leads?limit=50'],
    ['manager: store lead list', 'manager', '/api/leads?limit=50'],
    ['manager: unassigned', 'manager', '/api/leads?unassigned=true&limit=50'],
    ['manager: SLA breaches', 'manager', '/api/leads?sla=breached&limit=50'],
    ['admin: tenant lead list', 'admin', '/api/leads?limit=50'],
    ['admin: stage filter', 'admin', '/api/leads?stage=test_drive&limit=50'],
    ['admin: name search', 'admin', `/api/leads?q=${encodeURIComponent('王')}&limit=50`],
  ];
  const out: Record<string, { p50: number; p95: number; n: number; status?: number }> = {};
  for (const [label, who, url] of queries) {
    const times: number[] = [];
    let status = 200;
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      const res = await sessions[who]!.get<unknown>(url);
      times.push(performance.now() - t0);
      if (res.status !== 200) status = res.status;
    }
    out[label] = { p50: round(median(times)), p95: round(quantile(times, 0.95)), n: times.length, ...(status !== 200 ? { status } : {}) };
  }
  return out;
}

/**
 * `count` open leads waiting for first contact, `due` of them needing the sweep now (half past their deadline:
 * breach, half inside the reminder window), the rest due later; median of 5 runs.
 */
async function sweep(db: BenchDatabase, count: number, due: number) {
  const database = await openInProcess(db);
  const runs: number[] = [];
  let result: unknown = null;
  for (let run = 0; run < 5; run++) {
    await database.db.execute(sql`
      update leads set sla_state = 'pending', first_contact_at = null, sla_reminded_at = null, sla_breached_at = null,
             first_contact_due_at = now() + interval '2 hours'
      where (tenant_id, id) in (select tenant_id, id from leads order by created_at desc limit ${count})`);
    await database.db.execute(sql`
      update leads set first_contact_due_at = now() + case when random() < 0.5 then interval '-5 minutes' else interval '5 minutes' end
      where (tenant_id, id) in (select tenant_id, id from leads order by created_at desc limit ${due})`);
    if (database.kind === 'postgres') await database.db.execute(sql`analyze leads`);
    const t0 = performance.now();
    result = await runSlaSweep(database);
    runs.push(round(performance.now() - t0));
  }
  await database.close();
  return { openLeads: count, due, runsMs: runs, medianMs: round(median(runs)), result };
}

async function runBackend(kind: Backend, args: string[]): Promise<BackendResult> {
  const leads = Number(flag(args, kind === 'pglite' ? 'pglite-leads' : 'leads') ?? (kind === 'pglite' ? 100_000 : 1_000_000));
  const rate = Number(flag(args, 'rate') ?? 50);
  const duration = Number(flag(args, 'duration') ?? 60);
  const requests = Number(flag(args, 'requests') ?? 200);
  const sweepCount = Math.min(leads, Number(flag(args, 'sweep') ?? 100_000));
  const before = loadAverages();
  const db = await createBenchDatabase(kind, 'leads');
  try {
    process.stderr.write(`${kind}: seeding ${leads} leads\n`);
    const seedSeconds = await seed(db, leads);
    const server = await startServer(db.env);
    let intakeResult: BackendResult['intake'];
    let queries: BackendResult['queries'];
    try {
      const admin = await loginAs(server.baseUrl, 'admin');
      const source = await admin.post<{ writeKey: string }>('/api/sources', { name: '压测线索平台 bench platform', kind: 'lead_platform' });
      if (source.status !== 201) throw new Error(`create source: ${source.status} ${JSON.stringify(source.body)}`);
      process.stderr.write(`${kind}: intake at ${rate}/s for ${duration} s\n`);
      await intake(server.baseUrl, source.body.writeKey, rate, 3); // warm-up
      intakeResult = await intake(server.baseUrl, source.body.writeKey, rate, duration);
      process.stderr.write(`${kind}: queries\n`);
      const sessions = {
        admin,
        manager: await loginAs(server.baseUrl, 'sha01.manager'),
        consultant: await loginAs(server.baseUrl, 'sha01.sales1'),
      };
      await timeQueries(sessions, 5); // warm-up
      queries = await timeQueries(sessions, requests);
    } catch (err) {
      process.stderr.write(`server stderr (last 4 KB):\n${server.stderr().slice(-4000)}\n`);
      throw err;
    } finally {
      await server.stop();
    }
    process.stderr.write(`${kind}: SLA sweep over ${sweepCount} open leads\n`);
    // A minute's work at a busy moment (1 % of the open leads due) and the worst case (all of them due at once).
    const sweepResult = [await sweep(db, sweepCount, Math.ceil(sweepCount / 100)), await sweep(db, sweepCount, sweepCount)];
    return {
      backend: kind,
      leads,
      seedSeconds: round(seedSeconds),
      intake: intakeResult,
      queries,
      sweep: sweepResult,
      loadAverage: { before, after: loadAverages() },
    };
  } finally {
    await db.drop();
  }
}

export async function main(args: string[]): Promise<void> {
  const results: BackendResult[] = [];
  for (const kind of backendsOf(args, 'both')) results.push(await runBackend(kind, args));
  console.log(JSON.stringify(results, null, 2));
  for (const r of results) {
    const worstQuery = Object.entries(r.queries).sort((a, b) => b[1].p95 - a[1].p95)[0]!;
    console.log(
      `leads (${r.backend}, ${r.leads} leads): intake at ${r.intake.rate}/s p50 ${r.intake.p50} ms p99 ${r.intake.p99} ms (${r.intake.assigned}/${r.intake.sent} assigned); ` +
        `slowest query p95 ${worstQuery[1].p95} ms (${worstQuery[0]}); SLA sweep over ${r.sweep[0]?.openLeads} open leads: median ` +
        r.sweep.map((s) => `${s.medianMs} ms with ${s.due} due`).join(', '),
    );
  }
}
