// Customer reads at scale (issue 3): 1,000,000 profiles and 10,000,000 events in the real schema, then through
// the HTTP API of the real server with a logged-in session: phone search (exact phone through the blind index,
// and the last 4 digits) and the 360 page's first data (GET /api/customers/:id and the first timeline page, in
// parallel as the console asks for them), for ordinary profiles and for one profile with 100,000 events.
// Targets: phone search ≤ 20 ms p95; 360 first data ≤ 300 ms p95.
// `npm run bench -- reads [--backend pg|pglite|both] [--profiles 1000000] [--events 10000000] [--requests 300]`
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { deriveKeys, encrypt } from '../apps/server/src/platform/crypto.js';
import { identityKey, maskIdentity } from '../apps/server/src/modules/identity/identity-values.js';
import { nameSearchForms } from '../apps/server/src/modules/customers/name-search.js';
import {
  backendsOf,
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
  type Session,
} from './_server.js';
import { CITIES, GIVEN } from './_customer-csv.js';

const BIG_EVENTS = 100_000;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];

/** Profile n's phone: distinct for every n below 10^8, valid, never a junk pattern. */
const phoneOf = (n: number) => `1${3 + (n % 7)}${n % 10}${String((n * 48271 + 12_345_678) % 100_000_000).padStart(8, '0')}`;
/** A valid (version 4) UUID made from an md5, so ids are a function of a number and need no lookup. */
const uuidSql = (seed: string) =>
  `(select (substr(h, 1, 12) || '4' || substr(h, 14, 3) || '8' || substr(h, 18))::uuid from md5(${seed}) h)`;
const profileIdSql = (n: string) => uuidSql(`'fc-profile-' || (${n})`);

interface Sql {
  query(text: string): Promise<Record<string, unknown>[]>;
  copy(table: string, columns: string, csv: string): Promise<void>;
  close(): Promise<void>;
}

async function connect(db: BenchDatabase): Promise<Sql> {
  if (db.kind === 'postgres') {
    const client = new pg.Client({ connectionString: db.databaseUrl! });
    client.on('error', () => undefined);
    await client.connect();
    return {
      // Other work on this shared server can exhaust the lock table for a moment: a failed statement changed
      // nothing, so it is tried again.
      query: async (text) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return (await client.query(text)).rows;
          } catch (err) {
            if ((err as { code?: string }).code !== '53200' || attempt >= 5) throw err;
            await new Promise((r) => setTimeout(r, 5000));
          }
        }
      },
      copy: (table, columns, csv) =>
        new Promise<void>((resolve, reject) => {
          const stream = client.query(copyFrom(`copy ${table} (${columns}) from stdin with (format csv)`));
          stream.on('finish', () => resolve());
          stream.on('error', reject);
          stream.end(csv);
        }),
      close: () => client.end(),
    };
  }
  const client = await PGlite.create({ dataDir: path.join(db.dataDir, 'pglite') });
  return {
    query: async (text) => (await client.query<Record<string, unknown>>(text)).rows,
    copy: async (table, columns, csv) => {
      await client.query(`copy ${table} (${columns}) from '/dev/blob' with (format csv)`, [], { blob: new Blob([csv]) });
    },
    close: () => client.close(),
  };
}

/**
 * Profiles, their phone identities (real blind index and encryption, made by the product's functions) and an
 * anonymous id each, and the events: one profile with 100,000, the rest spread evenly over the other
 * profiles and over the last 12 months. Written directly, as the superuser, into the real tables.
 */
async function generate(db: BenchDatabase, ids: { tenantId: string; sourceId: string }, scale: { profiles: number; events: number }) {
  const keys = deriveKeys(db.masterKey);
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const step = async (name: string, fn: () => Promise<void>) => {
    const s = performance.now();
    await fn();
    timings[name] = round((performance.now() - s) / 1000);
  };
  const sql = await connect(db);
  const T = `'${ids.tenantId}'::uuid`;
  const S = `'${ids.sourceId}'::uuid`;
  if (db.kind === 'postgres') await sql.query('set synchronous_commit = off');

  const names = SURNAMES.flatMap((s) => GIVEN.map((g) => s + g));
  const forms = names.map((n) => nameSearchForms(n));
  const arr = (xs: (string | null)[]) => `array[${xs.map((x) => `'${x}'`).join(',')}]`;
  await step('profiles', async () => {
    const chunk = 250_000;
    for (let from = 1; from <= scale.profiles; from += chunk) {
      const to = Math.min(scale.profiles, from + chunk - 1);
      await sql.query(`
        insert into profiles (tenant_id, id, name, name_pinyin, name_initials, traits, trait_sources, tags, lifecycle_stage, city,
                              first_seen_at, last_seen_at, created_at, updated_at)
        select ${T}, ${profileIdSql('g')}, (${arr(names)})[1 + g % ${names.length}], (${arr(forms.map((f) => f.pinyin))})[1 + g % ${names.length}],
               (${arr(forms.map((f) => f.initials))})[1 + g % ${names.length}],
               jsonb_build_object('city', (${arr(CITIES)})[1 + g % ${CITIES.length}], '意向车型', 'ID.4 CROZZ', '购车预算', '20万'),
               jsonb_build_object('city', jsonb_build_object('sourceId', ${S}, 'at', '2026-01-01T00:00:00.000Z')),
               case when g % 7 = 0 then array['高意向'] else '{}'::text[] end, 'prospect', (${arr(CITIES)})[1 + g % ${CITIES.length}],
               now() - interval '1 second' * (g % 31536000), now() - interval '1 second' * (g % 86400),
               now() - interval '1 second' * (g % 31536000), now() - interval '1 second' * ((g::bigint * 7919) % 31536000)
        from generate_series(${from}, ${to}) g`);
    }
  });
  await step('identities', async () => {
    const chunk = 100_000;
    const csvOf = (n: number) => {
      const phone = `+86${phoneOf(n)}`;
      const id = '';
      return [
        ids.tenantId,
        'phone',
        identityKey(keys, 'phone', phone),
        id,
        id,
        encrypt(keys, phone),
        maskIdentity('phone', phone),
        phone.slice(-4),
        ids.sourceId,
      ];
    };
    for (let from = 1; from <= scale.profiles; from += chunk) {
      const to = Math.min(scale.profiles, from + chunk - 1);
      const lines: string[] = [];
      for (let n = from; n <= to; n++) lines.push(csvOf(n).join(',') + `,${n}`);
      // The profile id is filled in by SQL from the number in the last column.
      await sql.query(
        'create temp table if not exists bench_phone (tenant_id uuid, type text, key text, p text, o text, value_enc text, masked text, last4 text, source_id uuid, n int)',
      );
      await sql.copy('bench_phone', 'tenant_id, type, key, p, o, value_enc, masked, last4, source_id, n', lines.join('\n') + '\n');
      await sql.query(`
        insert into identities (tenant_id, type, key, profile_id, origin_profile_id, value_enc, masked, last4, source_id, first_seen_at, last_seen_at)
        select tenant_id, type, key, ${profileIdSql('n')}, ${profileIdSql('n')}, value_enc, masked, last4, source_id, now(), now() from bench_phone`);
      await sql.query('truncate bench_phone');
    }
    await sql.query(`
      insert into identities (tenant_id, type, key, profile_id, origin_profile_id, value_enc, masked, last4, source_id, first_seen_at, last_seen_at)
      select ${T}, 'anonymous_id', md5('anon-' || g), ${profileIdSql('g')}, ${profileIdSql('g')}, md5('v' || g), 'anon***' || (g % 1000),
             null, ${S}, now(), now()
      from generate_series(1, ${scale.profiles}) g`);
  });
  await step('events', async () => {
    // Profile 1 gets BIG_EVENTS; event g of the rest belongs to profile 2 + g % (profiles - 1).
    const rest = scale.events - BIG_EVENTS;
    const insert = (from: number, to: number, profile: string) => `
      insert into events (tenant_id, id, timestamp, profile_id, origin_profile_id, source_id, message_id, type, name,
                          original_timestamp, received_at, properties, context)
      select ${T}, ${uuidSql(`'fc-event-' || g`)}, ts, ${profile}, ${profile}, ${S}, 'bench-' || g,
             (array['page','track','track','identify'])[1 + g % 4],
             (array['ID.4 CROZZ 车型页','预约试驾','下载车型手册',null])[1 + g % 4], ts, ts,
             jsonb_build_object('path', (array['/','/models/id4','/test-drive','/finance'])[1 + g % 4], 'model', 'ID.4 CROZZ', 'budget', 150000 + g % 200000),
             jsonb_build_object('locale', 'zh-CN', 'ip', '117.12.' || (g % 250) || '.' || (g % 199), 'page', jsonb_build_object('url', 'https://www.example-auto.com.cn/'))
      from (select g, now() - interval '1 second' * ((g::bigint * 7919) % 31536000) as ts from generate_series(${from}, ${to}) g) x`;
    await sql.query(insert(1, BIG_EVENTS, profileIdSql('1')));
    const chunk = 1_000_000;
    const parts: Array<[number, number]> = [];
    for (let from = BIG_EVENTS + 1; from <= BIG_EVENTS + rest; from += chunk)
      parts.push([from, Math.min(BIG_EVENTS + rest, from + chunk - 1)]);
    const others = `${profileIdSql(`2 + g % ${scale.profiles - 1}`)}`;
    if (db.kind === 'postgres') {
      // Two sessions, one per core.
      const second = await connect(db);
      await second.query('set synchronous_commit = off');
      const lanes = [sql, second].map(async (conn, lane) => {
        for (const [from, to] of parts.filter((_, i) => i % 2 === lane)) await conn.query(insert(from, to, others));
      });
      await Promise.all(lanes);
      await second.close();
    } else for (const [from, to] of parts) await sql.query(insert(from, to, others));
  });
  await step('analyze', async () => {
    await sql.query('vacuum analyze profiles');
    await sql.query('vacuum analyze identities');
    await sql.query('vacuum analyze events');
  });
  const [size] = await sql.query(`select pg_size_pretty(pg_database_size(current_database())) as size`);
  await sql.close();
  return { seconds: round((performance.now() - t0) / 1000), steps: timings, databaseSize: String(size?.size) };
}

async function timed(
  n: number,
  fn: (i: number) => Promise<number>,
): Promise<{ n: number; p50: number; p95: number; p99: number; max: number; errors: number }> {
  const ms: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const status = await fn(i);
    ms.push(performance.now() - t0);
    if (status !== 200) errors += 1;
  }
  return {
    n,
    p50: round(quantile(ms, 0.5)),
    p95: round(quantile(ms, 0.95)),
    p99: round(quantile(ms, 0.99)),
    max: round(Math.max(...ms)),
    errors,
  };
}

async function measure(session: Session, scale: { profiles: number }, requests: number) {
  const rnd = (i: number) => 2 + ((i * 2654435761) % (scale.profiles - 1));
  const formats = [
    (p: string) => p,
    (p: string) => `+86 ${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`,
    (p: string) => `${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`,
  ];
  const search = async (q: string, expect?: (n: number) => boolean) => {
    const r = await session.get<{ items: unknown[] }>(`/api/customers?q=${encodeURIComponent(q)}&limit=20`);
    if (r.status === 200 && expect && !expect(r.body.items.length)) throw new Error(`search ${q}: ${r.body.items.length} results`);
    return r.status;
  };
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await session.get<{ items: Array<{ id: string }> }>(`/api/customers?q=${phoneOf(rnd(i + 10_000))}`);
    ids.push(r.body.items[0]!.id);
  }
  const big = await session.get<{ items: Array<{ id: string }> }>(`/api/customers?q=${phoneOf(1)}`);
  const bigId = big.body.items[0]!.id;
  const open360 = async (id: string) => {
    const [a, b] = await Promise.all([
      session.get(`/api/customers/${id}`),
      session.get<{ items: unknown[] }>(`/api/customers/${id}/timeline?limit=50`),
    ]);
    return a.status === 200 && b.status === 200 ? 200 : a.status === 200 ? b.status : a.status;
  };
  // Warm-up: plans, connections, the caches of a server that has just started.
  await timed(30, (i) => search(phoneOf(rnd(i + 50_000)), (n) => n === 1));
  await timed(10, (i) => open360(ids[i % ids.length]!));

  const profileIds: string[] = [];
  for (let i = 0; i < Math.min(requests, 100); i++) {
    const r = await session.get<{ items: Array<{ id: string }> }>(`/api/customers?q=${phoneOf(rnd(i + 20_000))}`);
    profileIds.push(r.body.items[0]!.id);
  }
  return {
    // The floor of any signed-in request on this machine at this moment: session lookup, one transaction, no search.
    authMe: await timed(requests, async () => (await session.get('/api/auth/me')).status),
    phoneExact: await timed(requests, (i) => search(formats[i % formats.length]!(phoneOf(rnd(i))), (n) => n === 1)),
    phoneLast4: await timed(requests, (i) => search(phoneOf(rnd(i + 5000)).slice(-4), (n) => n >= 1)),
    view360: await timed(requests, (i) => open360(profileIds[i % profileIds.length]!)),
    view360Big: await timed(Math.max(50, Math.round(requests / 4)), () => open360(bigId)),
    timelineBigSecondPage: await timed(50, async () => {
      const first = await session.get<{ nextCursor: string }>(`/api/customers/${bigId}/timeline?limit=50`);
      const second = await session.get(`/api/customers/${bigId}/timeline?limit=50&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      return second.status;
    }),
  };
}

async function explainSlow(db: BenchDatabase, tenantId: string, results: Awaited<ReturnType<typeof measure>>) {
  if (db.kind !== 'postgres') return {};
  const client = new pg.Client({ connectionString: db.databaseUrl! });
  await client.connect();
  const keys = deriveKeys(db.masterKey);
  const plans: Record<string, string> = {};
  const explain = async (name: string, text: string) => {
    const r = await client.query(`explain (analyze, buffers) ${text}`);
    plans[name] = r.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  };
  const t = `'${tenantId}'::uuid`;
  const list = (cond: string) => `select p.id, p.name, p.city, p.tags, p.lifecycle_stage, p.last_seen_at, p.updated_at,
      (select i.masked from identities i where i.tenant_id = p.tenant_id and i.profile_id = p.id and i.type = 'phone' order by i.last_seen_at desc limit 1) as phone
      from profiles p where p.tenant_id = ${t} and p.merged_into is null and true and ${cond}
      order by p.updated_at desc, p.id desc limit 21`;
  const key = identityKey(keys, 'phone', `+86${phoneOf(12345)}`);
  if (results.phoneExact.p95 > 20)
    await explain(
      'phoneExact',
      list(
        `exists (select 1 from identities i where i.tenant_id = ${t} and i.profile_id = p.id and i.type = 'phone' and i.key = '${key}')`,
      ),
    );
  if (results.phoneLast4.p95 > 20)
    await explain(
      'phoneLast4',
      list(
        `exists (select 1 from identities i where i.tenant_id = ${t} and i.profile_id = p.id and i.type = 'phone' and i.last4 = '${phoneOf(12345).slice(-4)}')`,
      ),
    );
  if (results.view360Big.p95 > 300)
    await explain(
      'timelineBig',
      `select e.id, e.timestamp, e.type, e.name, e.source_id, s.name as source_name, e.properties
       from events e left join sources s on s.tenant_id = e.tenant_id and s.id = e.source_id
       where e.tenant_id = ${t} and e.profile_id = ${profileIdSql('1')} order by e.timestamp desc, e.id desc limit 51`,
    );
  await client.end();
  return plans;
}

async function backend(kind: Backend, scale: { profiles: number; events: number }, requests: number) {
  const db = await createBenchDatabase(kind, 'reads');
  try {
    // 1. The real server creates the schema, the demo tenant and a source; then it stops while the data is written.
    const first = await startServer(db.env);
    let ids: { tenantId: string; sourceId: string };
    try {
      const admin = await loginAs(first.baseUrl);
      const me = await admin.get<{ tenant: { id: string } }>('/api/auth/me');
      const created = await admin.post<{ source: { id: string } }>('/api/sources', { name: 'DMS 导入', kind: 'dms' });
      ids = { tenantId: me.body.tenant.id, sourceId: created.body.source.id };
    } finally {
      await first.stop();
    }
    const generation = await generate(db, ids, scale);
    // 2. A fresh server process on the full database, as after a deploy.
    const server = await startServer(db.env);
    try {
      const admin = await loginAs(server.baseUrl);
      const loadBefore = loadAverages();
      const results = await measure(admin, scale, requests);
      const memory = memoryMb(server.pid);
      await server.stop();
      const plans = await explainSlow(db, ids.tenantId, results);
      return { scale, generation, ...results, serverMemoryMb: memory, loadAverage: { before: loadBefore, after: loadAverages() }, plans };
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

export async function main(args: string[]): Promise<void> {
  const scale = { profiles: Number(flag(args, 'profiles') ?? 1_000_000), events: Number(flag(args, 'events') ?? 10_000_000) };
  const requests = Number(flag(args, 'requests') ?? 300);
  const results: Partial<Record<Backend, Awaited<ReturnType<typeof backend>>>> = {};
  for (const kind of backendsOf(args, 'pg')) results[kind] = await backend(kind, scale, requests);
  const targets = Object.fromEntries(
    Object.entries(results).flatMap(([kind, r]) => [
      [`${kind}PhoneSearchP95Le20ms`, Math.max(r.phoneExact.p95, r.phoneLast4.p95) <= 20],
      [`${kind}View360P95Le300ms`, Math.max(r.view360.p95, r.view360Big.p95) <= 300],
    ]),
  );
  console.log(
    JSON.stringify(
      { benchmark: 'reads', machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, ...results, targets },
      null,
      2,
    ),
  );
  console.log(
    `reads (${scale.profiles.toLocaleString('en')} profiles, ${scale.events.toLocaleString('en')} events): ` +
      Object.entries(results)
        .map(
          ([kind, r]) =>
            `${kind}: phone p95 ${r.phoneExact.p95} ms exact / ${r.phoneLast4.p95} ms last 4; 360 first data p95 ${r.view360.p95} ms (${r.view360Big.p95} ms with ${BIG_EVENTS.toLocaleString('en')} events)`,
        )
        .join('; ') +
      `; targets ${Object.values(targets).every(Boolean) ? 'all met' : 'NOT all met: ' + JSON.stringify(targets)}`,
  );
}
