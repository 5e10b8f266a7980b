// Tracking ingest (issue 3): N concurrent keep-alive clients POST /v1/batch with 100 realistic events each
// to the real server process, on PGlite and on PostgreSQL. Measures events acknowledged per second, ack
// latency, the pipeline's processed rate (identity resolved, profile updated, event stored) while the load
// runs and while the backlog drains, the server's peak RSS; then, in the same database, a raw COPY of the
// same number of equivalent rows into plain tables shaped like inbound_log and events (the physical floor).
// `npm run bench -- ingest [--duration 60] [--clients 8] [--backend pg|pglite|both] [--drain-timeout 900] [--ack-only]`
// (--ack-only: a diagnostic with the pipeline switched off, to see what acknowledging alone costs)
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { deriveKeys, encrypt, type Keys } from '../apps/server/src/platform/crypto.js';
import { uuidv7 } from '../apps/server/src/platform/ids.js';
import { validateMessage, type InboundMessage } from '../apps/server/src/modules/ingest/segment.js';
import {
  backendsOf,
  cpuSnapshot,
  createBenchDatabase,
  flag,
  loadAverages,
  loginAs,
  memoryMb,
  quantile,
  round,
  startServer,
  type Backend,
  type BenchDatabase,
} from './_server.js';
import { SURNAMES } from '../apps/server/src/seed/demo.js';
import { CITIES, GIVEN } from './_customer-csv.js';

const BATCH = 100;
const WARMUP_MS = 5000;
const COPY_CHUNK = 20_000;

const MODELS = ['ID.4 CROZZ', '途观L', '帕萨特', '朗逸', 'ID.3', '探岳', '凌渡L', '威然'];
const PAGES = [
  ['/', '首页'],
  ['/models/id4', 'ID.4 CROZZ 车型页'],
  ['/models/tiguan', '途观L 车型页'],
  ['/test-drive', '预约试驾'],
  ['/finance', '金融方案计算器'],
  ['/dealers', '经销商查询'],
  ['/offers', '限时优惠'],
] as const;
const EVENTS = ['预约试驾', '下载车型手册', '金融计算器使用', '经销商查询', '在线留资', '视频播放', '配置器完成'];
const REFERRERS = ['https://www.autohome.com.cn/', 'https://www.dongchedi.com/', 'https://www.baidu.com/', 'https://www.douyin.com/', ''];

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Session {
  anonymousId: string;
  phone: number | null;
  left: number;
  identifyAt: number;
}

/**
 * Website traffic as sessions: each session is one visitor (a quarter of them returning) with 2–14
 * page views and tracks; four in five sessions identify once, with a name, a city and a phone drawn
 * from a pool of 20,000 people shared by all clients. The same person identifying in two sessions
 * (another device, a cleared cookie) makes resolution merge two profiles; a third of identifies also
 * carry a CRM userId. Every message has its own messageId.
 */
export class EventGenerator {
  private readonly rnd: () => number;
  private seq = 0;
  private visitorSeq = 0;
  private readonly sessions: Session[] = [];
  private readonly returning: string[] = [];
  constructor(
    private readonly runId: string,
    seed: number,
    private readonly phonePool = 20_000,
    private readonly concurrentSessions = 50,
  ) {
    this.rnd = random(seed);
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  /** 13x–19x and 8 digits from the pool index: valid, never a junk pattern (repeated or sequential digits). */
  private phoneOf(p: number): string {
    return `1${3 + (p % 7)}${p % 10}${String(10_000_000 + ((p * 7919) % 89_999_999)).slice(-8)}`;
  }
  private nameOf(p: number): string {
    return SURNAMES[p % SURNAMES.length]! + GIVEN[Math.floor(p / SURNAMES.length) % GIVEN.length]!;
  }
  private session(): Session {
    const i = Math.floor(this.rnd() * this.concurrentSessions);
    let s = this.sessions[i];
    if (!s || s.left <= 0) {
      const back = this.returning.length > 0 && this.rnd() < 0.25;
      const anonymousId = back ? this.pick(this.returning) : `anon-${this.runId}-${(this.visitorSeq++).toString(36)}`;
      if (!back && this.returning.length < 5000) this.returning.push(anonymousId);
      else if (!back) this.returning[Math.floor(this.rnd() * 5000)] = anonymousId;
      const left = 2 + Math.floor(this.rnd() * 13);
      s = {
        anonymousId,
        phone: this.rnd() < 0.8 ? Math.floor(this.rnd() * this.phonePool) : null,
        left,
        identifyAt: Math.floor(this.rnd() * left),
      };
      this.sessions[i] = s;
    }
    s.left -= 1;
    return s;
  }
  message(sentAt: string): Record<string, unknown> {
    const s = this.session();
    const [pagePath, title] = this.pick(PAGES);
    const referrer = this.pick(REFERRERS);
    const ip = Math.floor(this.rnd() * 2 ** 24);
    const context = {
      library: { name: 'forecourt-sdk', version: '1.0.0' },
      locale: 'zh-CN',
      ip: `117.${ip % 250}.${(ip >> 8) % 250}.${(ip >> 16) % 250}`,
      userAgent:
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49',
      page: { path: pagePath, title, url: `https://www.example-auto.com.cn${pagePath}`, referrer },
      campaign: referrer ? { source: new URL(referrer).hostname.split('.').at(-3) ?? 'direct', medium: 'cpc', name: '2026春季' } : {},
    };
    const base = {
      messageId: `${this.runId}-${(this.seq++).toString(36)}`,
      anonymousId: s.anonymousId,
      timestamp: new Date(Date.parse(sentAt) - Math.floor(this.rnd() * 600_000)).toISOString(),
      sentAt,
      context,
    };
    if (s.phone !== null && s.left === s.identifyAt)
      return {
        ...base,
        type: 'identify',
        ...(this.rnd() < 0.33 ? { userId: `crm-${s.phone}` } : {}),
        traits: {
          name: this.nameOf(s.phone),
          phone: this.phoneOf(s.phone),
          city: CITIES[s.phone % CITIES.length],
          意向车型: this.pick(MODELS),
          购车预算: `${15 + Math.floor(this.rnd() * 20)}万`,
        },
      };
    if (this.rnd() < 0.55) return { ...base, type: 'page', name: title, properties: { path: pagePath, title, referrer } };
    return {
      ...base,
      type: 'track',
      event: this.pick(EVENTS),
      properties: { model: this.pick(MODELS), city: this.pick(CITIES), budget: 150_000 + Math.floor(this.rnd() * 200_000) },
    };
  }
  batch(n: number): string {
    const sentAt = new Date().toISOString();
    return JSON.stringify({ batch: Array.from({ length: n }, () => this.message(sentAt)), sentAt });
  }
}

interface Sample {
  t: number;
  accepted: number;
  processed: number;
}

async function runLoad(
  baseUrl: string,
  writeKey: string,
  opts: { clients: number; durationMs: number; runId: string; record: boolean },
): Promise<{ latencies: number[]; accepted: number; rejected: number; duplicates: number; errors: number; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.clients });
  const url = new URL('/v1/batch', baseUrl);
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const latencies: number[] = [];
  let accepted = 0;
  let rejected = 0;
  let duplicates = 0;
  let errors = 0;
  const post = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { authorization: auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  const endAt = started + opts.durationMs;
  await Promise.all(
    Array.from({ length: opts.clients }, async (_, c) => {
      const gen = new EventGenerator(`${opts.runId}c${c}`, 1000 + c);
      while (performance.now() < endAt) {
        const body = gen.batch(BATCH);
        const t0 = performance.now();
        const res = await post(body).catch(() => ({ status: 0, text: '' }));
        const ms = performance.now() - t0;
        if (res.status !== 200) {
          errors += 1;
          if (errors <= 3) console.error(`batch answered ${res.status}: ${res.text.slice(0, 300)}`);
          continue;
        }
        const answer = JSON.parse(res.text) as { accepted: number; duplicates: number; rejected: unknown[] };
        accepted += answer.accepted;
        duplicates += answer.duplicates;
        rejected += answer.rejected.length;
        if (opts.record) latencies.push(ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latencies, accepted, rejected, duplicates, errors, seconds };
}

/** The same number of equivalent rows, COPYed into plain tables shaped like inbound_log and events. */
async function copyBaseline(
  db: BenchDatabase,
  rows: number,
  ids: { tenantId: string; sourceId: string },
  keys: Keys,
): Promise<{ rows: number; inboundSeconds: number; inboundPerSecond: number; eventsSeconds: number; eventsPerSecond: number }> {
  const inboundColumns = 'tenant_id, source_id, message_id, received_at, payload_enc';
  const eventColumns =
    'tenant_id, id, timestamp, profile_id, origin_profile_id, source_id, message_id, type, name, original_timestamp, received_at, properties, context';
  const csv = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);
  const gen = new EventGenerator(`copy${Date.now()}`, 77);
  const profileIds = Array.from({ length: 5000 }, () => uuidv7());
  const chunkOf = (n: number) => {
    const inbound: string[] = [];
    const events: string[] = [];
    const receivedAt = new Date();
    const sentAt = receivedAt.toISOString();
    for (let i = 0; i < n; i++) {
      const result = validateMessage(gen.message(sentAt), { receivedAt });
      if (!result.ok) throw new Error(result.message);
      const m: InboundMessage = result.message;
      inbound.push([ids.tenantId, ids.sourceId, m.messageId, m.receivedAt, encrypt(keys, JSON.stringify(m))].map(csv).join(','));
      const profile = profileIds[i % profileIds.length]!;
      const { traits: _t, ...context } = m.context;
      events.push(
        [
          ids.tenantId,
          uuidv7(Date.parse(m.timestamp)),
          m.timestamp,
          profile,
          profile,
          ids.sourceId,
          m.messageId,
          m.type,
          m.event ?? m.name,
          m.originalTimestamp,
          m.receivedAt,
          JSON.stringify(m.type === 'identify' ? m.traits : m.properties),
          JSON.stringify(context),
        ]
          .map(csv)
          .join(','),
      );
    }
    return { inbound: inbound.join('\n') + '\n', events: events.join('\n') + '\n' };
  };

  let inboundMs = 0;
  let eventsMs = 0;
  const setup = [
    'drop table if exists bench_copy_inbound',
    'drop table if exists bench_copy_events',
    // Same columns, defaults, identity and indexes as the real tables; no row-level security, no partitions.
    'create table bench_copy_inbound (like inbound_log including defaults including identity including indexes)',
    'create table bench_copy_events (like events including defaults including indexes)',
  ];
  const teardown = ['drop table bench_copy_inbound', 'drop table bench_copy_events'];
  if (db.kind === 'postgres') {
    const client = new pg.Client({ connectionString: db.databaseUrl! });
    client.on('error', () => undefined); // the database is dropped at the end; errors of a query still reject it
    await client.connect();
    for (const q of setup) await client.query(q);
    const copy = async (table: string, columns: string, data: string) => {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const stream = client.query(copyFrom(`copy ${table} (${columns}) from stdin with (format csv)`));
        stream.on('finish', () => resolve());
        stream.on('error', reject);
        stream.end(data);
      });
      return performance.now() - t0;
    };
    for (let done = 0; done < rows; done += COPY_CHUNK) {
      const chunk = chunkOf(Math.min(COPY_CHUNK, rows - done));
      inboundMs += await copy('bench_copy_inbound', inboundColumns, chunk.inbound);
      eventsMs += await copy('bench_copy_events', eventColumns, chunk.events);
    }
    for (const q of teardown) await client.query(q);
    await client.end();
  } else {
    const client = await PGlite.create({ dataDir: path.join(db.dataDir, 'pglite') });
    for (const q of setup) await client.query(q);
    const copy = async (table: string, columns: string, data: string) => {
      const t0 = performance.now();
      await client.query(`copy ${table} (${columns}) from '/dev/blob' with (format csv)`, [], { blob: new Blob([data]) });
      return performance.now() - t0;
    };
    for (let done = 0; done < rows; done += COPY_CHUNK) {
      const chunk = chunkOf(Math.min(COPY_CHUNK, rows - done));
      inboundMs += await copy('bench_copy_inbound', inboundColumns, chunk.inbound);
      eventsMs += await copy('bench_copy_events', eventColumns, chunk.events);
    }
    for (const q of teardown) await client.query(q);
    await client.close();
  }
  return {
    rows,
    inboundSeconds: round(inboundMs / 1000, 2),
    inboundPerSecond: Math.round(rows / (inboundMs / 1000)),
    eventsSeconds: round(eventsMs / 1000, 2),
    eventsPerSecond: Math.round(rows / (eventsMs / 1000)),
  };
}

async function backend(kind: Backend, opts: { clients: number; durationMs: number; drainTimeoutMs: number; ackOnly: boolean }) {
  const db = await createBenchDatabase(kind, 'ingest');
  // Diagnostic: the acknowledging path alone, with the pipeline switched off in the server process.
  if (opts.ackOnly) db.env.FORECOURT_WORKERS = 'false';
  const keys = deriveKeys(db.masterKey);
  const loadBefore = loadAverages();
  try {
    const server = await startServer(db.env);
    let stopped = false;
    try {
      const admin = await loginAs(server.baseUrl);
      const me = await admin.get<{ tenant: { id: string } }>('/api/auth/me');
      const created = await admin.post<{ writeKey: string; source: { id: string } }>('/api/sources', {
        name: '官网 Website',
        kind: 'website',
      });
      if (created.status !== 201) throw new Error(`create source: ${created.status} ${JSON.stringify(created.body)}`);
      const { writeKey } = created.body;
      const sourceId = created.body.source.id;
      const counters = async () => {
        const r = await admin.get<{ counters: Record<string, number> }>(`/api/sources/${sourceId}`);
        return { accepted: r.body.counters.accepted ?? 0, processed: r.body.counters.processed ?? 0 };
      };
      const waitDrained = async (target: number, timeoutMs: number, samples: Sample[], t0: number) => {
        if (opts.ackOnly) timeoutMs = 0;
        const deadline = performance.now() + timeoutMs;
        for (;;) {
          const c = await counters();
          samples.push({ t: (performance.now() - t0) / 1000, ...c });
          if (c.processed >= target) return true;
          if (performance.now() > deadline) return false;
          await new Promise((r) => setTimeout(r, 500));
        }
      };

      // Warm-up (JIT, caches, the first partitions), drained before the measured window starts.
      const warm = await runLoad(server.baseUrl, writeKey, {
        clients: opts.clients,
        durationMs: WARMUP_MS,
        runId: `w${Date.now()}`,
        record: false,
      });
      await new Promise((r) => setTimeout(r, 1200)); // counters are written once a second
      await waitDrained(warm.accepted, opts.drainTimeoutMs, [], performance.now());
      const before = await counters();

      const samples: Sample[] = [];
      const t0 = performance.now();
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const c = await counters();
          samples.push({
            t: (performance.now() - t0) / 1000,
            accepted: c.accepted - before.accepted,
            processed: c.processed - before.processed,
          });
          await new Promise((r) => setTimeout(r, 1000));
        }
      })();
      const cpu0 = cpuSnapshot(server.pid);
      const load = await runLoad(server.baseUrl, writeKey, {
        clients: opts.clients,
        durationMs: opts.durationMs,
        runId: `r${Date.now()}`,
        record: true,
      });
      const cpu1 = cpuSnapshot(server.pid);
      polling = false;
      await poller;
      const loadEnd = (performance.now() - t0) / 1000;
      // Processed at the end of the load window (counters lag by up to a second: take the first sample after it).
      await new Promise((r) => setTimeout(r, 1200));
      const atEnd = await counters();
      const processedDuringLoad = atEnd.processed - before.processed;
      const drainSamples: Sample[] = [];
      const drainStart = performance.now();
      const drained = await waitDrained(before.processed + load.accepted, opts.drainTimeoutMs, drainSamples, t0);
      const drainSeconds = (performance.now() - drainStart) / 1000;
      const last = drainSamples.at(-1)!;
      const processedTotal = last.processed - before.processed;
      const memory = memoryMb(server.pid);
      const cpu2 = cpuSnapshot(server.pid);
      await server.stop();
      stopped = true;

      const copy = await copyBaseline(db, load.accepted, { tenantId: me.body.tenant.id, sourceId }, keys);
      const ackedPerSecond = load.accepted / load.seconds;
      const processedSustained = processedDuringLoad / (loadEnd + 1.2);
      const overallProcessed = processedTotal / (loadEnd + 1.2 + drainSeconds);
      const span = (a: typeof cpu0, b: typeof cpu0) => ({
        machineBusySeconds: round(b.machineBusy - a.machineBusy),
        serverSeconds: round(b.server - a.server),
        benchClientSeconds: round(b.bench - a.bench),
      });
      return {
        clients: opts.clients,
        batchSize: BATCH,
        loadSeconds: round(load.seconds),
        requests: load.latencies.length,
        errors: load.errors,
        rejected: load.rejected,
        duplicates: load.duplicates,
        acknowledged: load.accepted,
        ackedPerSecond: Math.round(ackedPerSecond),
        ackLatencyMs: {
          p50: round(quantile(load.latencies, 0.5)),
          p95: round(quantile(load.latencies, 0.95)),
          p99: round(quantile(load.latencies, 0.99)),
          max: round(Math.max(...load.latencies)),
        },
        processedDuringLoad,
        processedPerSecondDuringLoad: Math.round(processedSustained),
        backlogAtLoadEnd: load.accepted - processedDuringLoad,
        drained,
        drainSeconds: round(drainSeconds),
        drainPerSecond: drainSeconds > 0 ? Math.round((processedTotal - processedDuringLoad) / drainSeconds) : null,
        processedPerSecondOverall: Math.round(overallProcessed),
        serverMemoryMb: memory,
        cpu: { load: span(cpu0, cpu1), drain: span(cpu1, cpu2) },
        copy,
        ratio: {
          ackedVsCopyInbound: round(ackedPerSecond / copy.inboundPerSecond, 3),
          processedVsCopyEvents: round(overallProcessed / copy.eventsPerSecond, 3),
        },
        samples: samples.map((s) => [round(s.t), s.accepted, s.processed]),
        loadAverage: { before: loadBefore, after: loadAverages() },
      };
    } finally {
      if (!stopped) {
        console.error(server.stderr().slice(-3000));
        await server.stop();
      }
    }
  } finally {
    await db.drop();
  }
}

export async function main(args: string[]): Promise<void> {
  const durationMs = Number(flag(args, 'duration') ?? 60) * 1000;
  const clients = Number(flag(args, 'clients') ?? 8);
  const drainTimeoutMs = Number(flag(args, 'drain-timeout') ?? 900) * 1000;
  const ackOnly = args.includes('--ack-only');
  const results: Partial<Record<Backend, Awaited<ReturnType<typeof backend>>>> = {};
  for (const kind of backendsOf(args)) results[kind] = await backend(kind, { clients, durationMs, drainTimeoutMs, ackOnly });
  const { pglite, postgres } = results;
  const targets = {
    ...(postgres && {
      postgresAckedGe50000: postgres.ackedPerSecond >= 50_000,
      postgresProcessedGe20000: postgres.processedPerSecondDuringLoad >= 20_000,
      postgresAckP99Le250ms: postgres.ackLatencyMs.p99 <= 250,
    }),
    ...(pglite && {
      pgliteAckedGe15000: pglite.ackedPerSecond >= 15_000,
      pgliteProcessedGe5000: pglite.processedPerSecondDuringLoad >= 5_000,
    }),
  };
  console.log(
    JSON.stringify(
      { benchmark: 'ingest', machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, ...results, targets },
      null,
      2,
    ),
  );
  const line = (name: string, r: typeof pglite) =>
    r
      ? `${name}: acked ${r.ackedPerSecond}/s (p50 ${r.ackLatencyMs.p50} ms, p99 ${r.ackLatencyMs.p99} ms), processed ${r.processedPerSecondDuringLoad}/s during load, ` +
        `${r.processedPerSecondOverall}/s overall (drain ${r.drainSeconds} s), peak RSS ${r.serverMemoryMb.peak} MB, COPY ${r.copy.inboundPerSecond}/s inbound, ${r.copy.eventsPerSecond}/s events`
      : null;
  console.log(
    `ingest (${clients} clients × ${BATCH} events, ${durationMs / 1000} s): ` +
      [line('PGlite', pglite), line('PostgreSQL', postgres)].filter(Boolean).join('; ') +
      `; targets ${Object.values(targets).every(Boolean) ? 'all met' : 'NOT all met: ' + JSON.stringify(targets)}`,
  );
}
