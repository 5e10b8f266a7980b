// The probable-duplicate job on a database: `npm run bench -- duplicate-scan [--profiles N] [--pg]`.
// Loads N profiles (default 100,000) made from the labelled generator (test-set.ts, seed 42: realistic Chinese names,
// typos, one third of the pairs one person) with their phones and e-mails encrypted as the pipeline stores them,
// then times:
//   full        the first scan of the tenant (every profile keyed and scored): what a rebuild costs;
//   touched     1,000 profiles queued again without a change (they only got new events): the common case;
//   changed     1,000 profiles whose city changed: rekeyed and rescored.
// It also checks the job against the labels: the share of labelled positives it queued (the evaluation's recall,
// now through the database, the hashed keys and the cap on common keys) and how many queued pairs join records of
// two different labelled pairs (unlabelled; mostly coincidences the scorer accepted).
// PGlite in a temp directory by default; --pg uses a throw-away database on BENCH_PG_ADMIN_URL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { deriveKeys, encrypt } from '../apps/server/src/platform/crypto.js';
import { openDatabase, rowsOf, runMigrations, withTenant, type Database } from '../apps/server/src/platform/db.js';
import { uuidv7 } from '../apps/server/src/platform/ids.js';
import { identityKey, maskIdentity } from '../apps/server/src/modules/identity/identity-values.js';
import { markForDuplicateScan } from '../apps/server/src/modules/identity/duplicates/mark-stale.js';
import { runDuplicateScan } from '../apps/server/src/modules/identity/duplicates/scan.js';
import { generateDuplicateTestSet } from '../apps/server/src/modules/identity/duplicates/test-set.js';

const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOUCHED = 1000;
const CHUNK = 2000;

export async function main(args: string[]) {
  const at = args.indexOf('--profiles');
  const profiles = at >= 0 ? Number(args[at + 1]) : 100_000;
  const usePg = args.includes('--pg');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-bench-dup-'));
  let dbName: string | undefined;
  let databaseUrl: string | undefined;
  if (usePg) {
    dbName = `fc_bench_dup_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const url = new URL(PG_ADMIN);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const database = await openDatabase({ databaseUrl, dataDir });
  // PGlite runs on this thread and blocks timers, so RSS is sampled between phases.
  let peakRss = 0;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  try {
    await runMigrations(database);
    const keys = deriveKeys(randomBytes(32).toString('hex'));
    const tenantId = uuidv7();
    await database.db.execute(sql`insert into tenants (id, code, name) values (${tenantId}::uuid, 'bench', 'Bench')`);

    const loadStarted = performance.now();
    const { pairOf, ids } = await load(database, keys, tenantId, profiles);
    const loadMs = performance.now() - loadStarted;

    sample();
    const full = await runDuplicateScan(database, keys, tenantId, { budgetMs: Number.POSITIVE_INFINITY });
    sample();
    const [stored] = await rowsOf<{ n: number | string }>(
      database.db,
      sql`select count(*) as n from profile_blocking_keys where tenant_id = ${tenantId}::uuid and key not like '~%'`,
    );

    // Against the labels, right after the full scan.
    const queued = await rowsOf<{ profile_a: string; profile_b: string }>(
      database.db,
      sql`select profile_a, profile_b from duplicate_pairs where tenant_id = ${tenantId}::uuid and status = 'open'`,
    );
    let labelledPositivesQueued = 0;
    let labelledNegativesQueued = 0;
    let crossPairs = 0;
    for (const q of queued) {
      const a = pairOf.get(q.profile_a)!;
      const b = pairOf.get(q.profile_b)!;
      if (a.index !== b.index) crossPairs += 1;
      else if (a.duplicate) labelledPositivesQueued += 1;
      else labelledNegativesQueued += 1;
    }
    const picked = ids.filter((_, i) => i % Math.floor(ids.length / TOUCHED) === 0).slice(0, TOUCHED);
    await withTenant(database.db, tenantId, (tx) => markForDuplicateScan(tx, tenantId, picked));
    const touched = await runDuplicateScan(database, keys, tenantId, { budgetMs: Number.POSITIVE_INFINITY });

    await withTenant(database.db, tenantId, async (tx) => {
      await tx.execute(sql`update profiles set city = '苏州' where tenant_id = ${tenantId}::uuid
                           and id in (select jsonb_array_elements_text(${JSON.stringify(picked)}::jsonb)::uuid)`);
      await markForDuplicateScan(tx, tenantId, picked);
    });
    const changed = await runDuplicateScan(database, keys, tenantId, { budgetMs: Number.POSITIVE_INFINITY });
    sample();

    const positives = new Set([...pairOf.values()].filter((p) => p.duplicate).map((p) => p.index)).size;

    const round = (x: number, d = 1) => Number(x.toFixed(d));
    const figures = {
      driver: database.kind,
      profiles: ids.length,
      loadSeconds: round(loadMs / 1000),
      full: { ...full, seconds: round(full.ms / 1000), profilesPerSecond: Math.round(full.profiles / (full.ms / 1000)) },
      blockingKeysStored: Number(stored!.n),
      touched: { ...touched },
      changed: { ...changed },
      openPairsAfterFullScan: queued.length,
      labelledPositives: positives,
      labelledPositivesQueued,
      jobRecallOnLabelled: round(labelledPositivesQueued / positives, 4),
      labelledNegativesQueued,
      crossPairsQueued: crossPairs,
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
    console.log(JSON.stringify(figures, null, 2));
    console.log(
      `duplicate-scan (${database.kind}): ${ids.length.toLocaleString('en')} profiles, full scan ${figures.full.seconds} s ` +
        `(${figures.full.profilesPerSecond.toLocaleString('en')} profiles/s), ${TOUCHED} touched ${touched.ms} ms, ` +
        `${TOUCHED} changed ${changed.ms} ms; ${queued.length} open pairs, recall on labelled positives ${figures.jobRecallOnLabelled}, ` +
        `${labelledNegativesQueued} labelled negatives and ${crossPairs} cross-pair matches queued; peak RSS ${figures.peakRssMb} MB`,
    );
  } finally {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dbName) {
      const admin = new pg.Client({ connectionString: PG_ADMIN });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }
}

/** Profiles and their encrypted phones and e-mails, as the pipeline writes them (no events: the scan reads none). */
async function load(database: Database, keys: ReturnType<typeof deriveKeys>, tenantId: string, n: number) {
  const set = generateDuplicateTestSet({ seed: 42, pairs: Math.ceil(n / 2) });
  const pairOf = new Map<string, { index: number; duplicate: boolean }>();
  const rows: { id: string; name: string | null; city: string | null; traits: Record<string, string> }[] = [];
  const identities: { type: string; key: string; profile_id: string; value_enc: string; masked: string }[] = [];
  set.forEach((pair, index) => {
    for (const c of [pair.a, pair.b]) {
      if (rows.length >= n) return;
      const id = uuidv7();
      pairOf.set(id, { index, duplicate: pair.duplicate });
      rows.push({ id, name: c.name, city: c.city, traits: c.vehicleOfInterest ? { vehicle_of_interest: c.vehicleOfInterest } : {} });
      for (const [type, values] of [
        ['phone', c.phones],
        ['email', c.emails],
      ] as const) {
        for (const value of values) {
          identities.push({
            type,
            key: identityKey(keys, type, value),
            profile_id: id,
            value_enc: encrypt(keys, value),
            masked: maskIdentity(type, value),
          });
        }
      }
    }
  });
  for (let i = 0; i < rows.length; i += CHUNK) {
    await database.db.execute(sql`
      insert into profiles (tenant_id, id, name, city, traits)
      select ${tenantId}::uuid, id, name, city, traits
      from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + CHUNK))}::jsonb) as x(id uuid, name text, city text, traits jsonb)`);
  }
  for (let i = 0; i < identities.length; i += CHUNK) {
    // A generated number can repeat across pairs; the identity then stays with its first profile, as in the resolver.
    await database.db.execute(sql`
      insert into identities (tenant_id, type, key, profile_id, origin_profile_id, value_enc, masked)
      select ${tenantId}::uuid, type, key, profile_id, profile_id, value_enc, masked
      from jsonb_to_recordset(${JSON.stringify(identities.slice(i, i + CHUNK))}::jsonb)
           as x(type text, key text, profile_id uuid, value_enc text, masked text)
      on conflict (tenant_id, type, key) do nothing`);
  }
  return { pairOf, ids: rows.map((r) => r.id) };
}
