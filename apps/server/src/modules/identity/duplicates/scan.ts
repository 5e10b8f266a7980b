// The probable-duplicate job. Writers of profiles queue them ('~stale', mark-stale.ts); a scan takes the queue in
// batches of BATCH profiles, one transaction each:
//   1. claim the marks (DELETE … SKIP LOCKED), load the profiles and their phones and e-mails;
//   2. recompute their hashed blocking keys; a profile whose keys and fingerprint are unchanged (it only got new
//      events) stops here;
//   3. candidates = live profiles sharing a key, except keys shared by more than MAX_BLOCK_SIZE profiles;
//   4. skip pairs a person decided were two people (not_same, forever), score the rest, upsert those at the
//      threshold as `open` with their reasons, and drop open pairs of these profiles that no longer qualify.
import { sql } from 'drizzle-orm';
import type { Keys } from '../../../platform/crypto.js';
import { backgroundBatch, rowsOf, withTenant, yieldToRequests, type Database, type Tx } from '../../../platform/db.js';
import { blockingKeyHasher, loadCandidates, storedKeysOf, type LoadedProfile } from './load-candidates.js';
import { KEYED_KEY, STALE_KEY, markAllForDuplicateScan } from './mark-stale.js';
import { anyUuid, textArray, uuidPairs } from './sql-lists.js';
import { DUPLICATE_THRESHOLD, scorePair, type DuplicateReason } from './score-pair.js';

/** Profiles per transaction: on the embedded database a short one, as requests wait for it (db.ts backgroundBatch). */
const BATCH = 1000;
const EMBEDDED_BATCH = 200;
/**
 * A key shared by more profiles than this is a common name in a big city, not evidence. Phone keys are shared by
 * at most 10 numbers and mailbox keys by a few dozen, and name keys alone never reach the threshold, so the cap
 * costs no recall while it keeps 王伟@上海 from pairing thousands of profiles.
 */
export const MAX_BLOCK_SIZE = 50;
/** Two live profiles never share a phone or e-mail (an identity has one owner); if they did, it is the resolver's case. */
const STRONG: readonly DuplicateReason[] = ['phone_equal', 'email_equal'];
const INSERT_CHUNK = 10_000;

export interface DuplicateScanResult {
  /** Profiles taken from the queue. */
  profiles: number;
  /** Of those, profiles whose keys or scored fields changed. */
  rekeyed: number;
  pairsScored: number;
  /** Open pairs written (new or rescored). */
  pairsQueued: number;
  /** Open pairs dropped because they no longer reach the threshold. */
  pairsDropped: number;
  /** false when the time budget ran out with profiles still queued. */
  done: boolean;
  ms: number;
}

interface Batch {
  profiles: number;
  rekeyed: number;
  pairsScored: number;
  pairsQueued: number;
  pairsDropped: number;
}

/** Work through the tenant's queue; the next run picks up where a spent budget stopped. */
export async function runDuplicateScan(
  database: Database,
  keys: Keys,
  tenantId: string,
  opts: { budgetMs?: number; batchSize?: number } = {},
): Promise<DuplicateScanResult> {
  const started = performance.now();
  const budget = opts.budgetMs ?? 60_000;
  const size = opts.batchSize ?? backgroundBatch(database, BATCH, EMBEDDED_BATCH);
  const hashKey = blockingKeyHasher(keys);
  await withTenant(database.db, tenantId, (tx) => queueTenantOnce(tx, tenantId));
  const total: Batch = { profiles: 0, rekeyed: 0, pairsScored: 0, pairsQueued: 0, pairsDropped: 0 };
  let done = false;
  while (performance.now() - started < budget) {
    const batch = await withTenant(database.db, tenantId, (tx) => scanBatch(tx, database.kind, keys, hashKey, tenantId, size));
    for (const k of Object.keys(total) as (keyof Batch)[]) total[k] += batch[k];
    if (batch.profiles < size) {
      done = true;
      break;
    }
    await yieldToRequests(database);
  }
  return { ...total, done, ms: Math.round(performance.now() - started) };
}

/** Profiles written before the scan existed were never queued: queue a tenant's profiles the first time it is scanned. */
async function queueTenantOnce(tx: Tx, tenantId: string): Promise<void> {
  const [keyed] = await rowsOf<{ one: number }>(
    tx,
    sql`select 1 as one from profile_blocking_keys where tenant_id = ${tenantId}::uuid and key = ${KEYED_KEY} limit 1`,
  );
  if (!keyed) await markAllForDuplicateScan(tx, tenantId);
}

async function scanBatch(
  tx: Tx,
  kind: Database['kind'],
  keys: Keys,
  hashKey: (key: string) => string,
  tenantId: string,
  size: number,
): Promise<Batch> {
  const t = tenantId;
  const result: Batch = { profiles: 0, rekeyed: 0, pairsScored: 0, pairsQueued: 0, pairsDropped: 0 };
  // One scan per tenant at a time (the schedule in several processes, a "scan now" meanwhile): they would rescore
  // the same pairs. PGlite has one connection, so it is serial anyway.
  if (kind === 'postgres') await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`duplicate-scan:${t}`}, 0))`);
  const claimed = await rowsOf<{ profile_id: string }>(
    tx,
    sql`select profile_id from profile_blocking_keys where tenant_id = ${t}::uuid and key = ${STALE_KEY}
        order by profile_id limit ${size} for update skip locked`,
  );
  if (claimed.length === 0) return result;
  result.profiles = claimed.length;
  const ids = claimed.map((c) => c.profile_id);
  await tx.execute(
    sql`delete from profile_blocking_keys where tenant_id = ${t}::uuid and key = ${STALE_KEY} and profile_id = ${anyUuid(ids)}`,
  );
  const loaded = await loadCandidates(tx, keys, t, ids);

  // 2. Keys: rewrite only the profiles whose key set (fingerprint included) changed.
  const fresh = new Map(ids.map((id) => [id, live(loaded.get(id)) ? storedKeysOf(loaded.get(id)!.candidate, hashKey) : []]));
  const storedRows = await rowsOf<{ profile_id: string; key: string }>(
    tx,
    sql`select profile_id, key from profile_blocking_keys
        where tenant_id = ${t}::uuid and profile_id = ${anyUuid(ids)}`,
  );
  const stored = new Map<string, Set<string>>();
  for (const r of storedRows) stored.set(r.profile_id, (stored.get(r.profile_id) ?? new Set()).add(r.key));
  const changed = ids.filter((id) => !sameSet(stored.get(id), fresh.get(id)!));
  result.rekeyed = changed.length;
  if (changed.length === 0) return result;
  // Only the difference is written: a new city changes one name key and the fingerprint, not the phone keys.
  const gone = changed.flatMap((id) => [...(stored.get(id) ?? [])].filter((k) => !fresh.get(id)!.includes(k)).map((key) => ({ key, id })));
  const added = changed.flatMap((id) =>
    fresh
      .get(id)!
      .filter((k) => !stored.get(id)?.has(k))
      .map((key) => ({ key, id })),
  );
  for (let i = 0; i < gone.length; i += INSERT_CHUNK) {
    const chunk = gone.slice(i, i + INSERT_CHUNK);
    await tx.execute(sql`
      delete from profile_blocking_keys where tenant_id = ${t}::uuid
        and (key, profile_id) in (select * from unnest(${textArray(chunk.map((r) => r.key))}::text[], ${textArray(chunk.map((r) => r.id))}::uuid[]))`);
  }
  for (let i = 0; i < added.length; i += INSERT_CHUNK) {
    const chunk = added.slice(i, i + INSERT_CHUNK);
    await tx.execute(sql`
      insert into profile_blocking_keys (tenant_id, key, profile_id)
      select ${t}::uuid, x.key, x.id from unnest(${textArray(chunk.map((r) => r.key))}::text[], ${textArray(chunk.map((r) => r.id))}::uuid[]) as x(key, id)`);
  }

  // 3. Candidates: profiles sharing a key that is not too common.
  const rekeyedLive = changed.filter((id) => live(loaded.get(id)));
  const pairs = new Map<string, { a: string; b: string }>();
  const batchKeys = [...new Set(rekeyedLive.flatMap((id) => fresh.get(id)!).filter((k) => !k.startsWith('~')))];
  const blocks = new Map<string, string[]>();
  for (let i = 0; i < batchKeys.length; i += INSERT_CHUNK) {
    const found = await rowsOf<{ key: string; profile_id: string }>(
      tx,
      sql`select key, profile_id from profile_blocking_keys
          where tenant_id = ${t}::uuid and key = any(${textArray(batchKeys.slice(i, i + INSERT_CHUNK))}::text[])`,
    );
    for (const r of found) blocks.set(r.key, [...(blocks.get(r.key) ?? []), r.profile_id]);
  }
  const mine = new Set(rekeyedLive);
  for (const members of blocks.values()) {
    if (members.length > MAX_BLOCK_SIZE) continue;
    for (const a of members) {
      if (!mine.has(a)) continue;
      for (const b of members) {
        if (a === b) continue;
        const [lo, hi] = a < b ? [a, b] : [b, a];
        pairs.set(`${lo}|${hi}`, { a: lo, b: hi });
      }
    }
  }

  // 4. Decisions are kept forever: a pair someone called two people is never scored again. A 'merged' pair whose
  // two profiles are both live again (an unmerge of a third profile set it) may come back.
  const decided =
    pairs.size === 0
      ? []
      : await rowsOf<{ profile_a: string; profile_b: string }>(
          tx,
          sql`select d.profile_a, d.profile_b from duplicate_pairs d
              where d.tenant_id = ${t}::uuid and (d.profile_a, d.profile_b) in (${uuidPairs([...pairs.values()])})
                and d.status not in ('open', 'merged')`,
        );
  for (const d of decided) pairs.delete(`${d.profile_a}|${d.profile_b}`);
  const partners = [...new Set([...pairs.values()].flatMap((p) => [p.a, p.b]))].filter((id) => !loaded.has(id));
  for (const [id, p] of await loadCandidates(tx, keys, t, partners)) loaded.set(id, p);

  const queue: { a: string; b: string; score: number; reasons: string[] }[] = [];
  for (const { a, b } of pairs.values()) {
    const pa = loaded.get(a);
    const pb = loaded.get(b);
    if (!live(pa) || !live(pb)) continue;
    const { score, reasons } = scorePair(pa!.candidate, pb!.candidate);
    result.pairsScored += 1;
    if (score >= DUPLICATE_THRESHOLD && !reasons.some((r) => STRONG.includes(r))) queue.push({ a, b, score, reasons });
  }
  queue.sort((x, y) => (x.a === y.a ? (x.b < y.b ? -1 : 1) : x.a < y.a ? -1 : 1));
  const keep = new Set(queue.map((q) => `${q.a}|${q.b}`));
  const open = await rowsOf<{ a: string; b: string }>(
    tx,
    sql`select profile_a as a, profile_b as b from duplicate_pairs
        where tenant_id = ${t}::uuid and status = 'open' and (profile_a = ${anyUuid(changed)} or profile_b = ${anyUuid(changed)})`,
  );
  const stale = open.filter((o) => !keep.has(`${o.a}|${o.b}`));
  if (stale.length > 0) {
    await tx.execute(sql`
      delete from duplicate_pairs where tenant_id = ${t}::uuid and status = 'open' and (profile_a, profile_b) in (${uuidPairs(stale)})`);
    result.pairsDropped = stale.length;
  }
  if (queue.length > 0) {
    await tx.execute(sql`
      insert into duplicate_pairs (tenant_id, profile_a, profile_b, score, reasons, status)
      select ${t}::uuid, x.a, x.b, x.score, array(select jsonb_array_elements_text(x.reasons)), 'open'
      from jsonb_to_recordset(${JSON.stringify(queue)}::jsonb) as x(a uuid, b uuid, score real, reasons jsonb)
      on conflict (tenant_id, profile_a, profile_b) do update
        set score = excluded.score, reasons = excluded.reasons, status = 'open', decided_by = null, decided_at = null
        where duplicate_pairs.status in ('open', 'merged')`);
    result.pairsQueued = queue.length;
  }
  return result;
}

function live(p: LoadedProfile | undefined): boolean {
  return p?.live === true;
}

function sameSet(stored: Set<string> | undefined, fresh: string[]): boolean {
  if (!stored) return fresh.length === 0;
  return stored.size === fresh.length && fresh.every((k) => stored.has(k));
}
