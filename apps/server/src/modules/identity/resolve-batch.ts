import { sql } from 'drizzle-orm';
import type { Keys } from '../../platform/crypto.js';
import type { Database, StatementPipeline, Tx } from '../../platform/db.js';
import { loadForPlan } from './load-plan.js';
import { BatchPlan, type MessageToResolve } from './plan-batch.js';
import type { CdpSettings } from './settings.js';
import { writePlan, type NameForms } from './write-plan.js';

export interface ResolveBatchOptions {
  kind: Database['kind'];
  keys: Keys;
  tenantId: string;
  settings: CdpSettings;
  messages: MessageToResolve[];
  kindOf: (sourceId: string | null) => string | null;
  /** false: plan only (an import's dry run): nothing is locked or written. */
  write?: boolean;
  /** Search forms of names computed ahead (an import's worker); others are computed when written. */
  nameForms?: NameForms;
  /** Send the writes without waiting for them; the caller flushes (see StatementPipeline). */
  pipeline?: StatementPipeline;
}

/**
 * One ID for a batch, the step the tracking pipeline and imports share: load what the batch's identities
 * touch, resolve the messages in order, and write profiles, identities, merges and reviews in the caller's
 * transaction. Events, consents and the like are the caller's (customers/append-activity.ts).
 */
export async function resolveBatch(tx: Tx, opts: ResolveBatchOptions): Promise<BatchPlan> {
  const { kind, keys, tenantId, settings, messages, kindOf } = opts;
  const write = opts.write ?? true;
  // Under the tenant's exclusive lock no other batch resolves; with per-identity locks the owners are locked too.
  const exact = write && kind === 'postgres' ? await lockIdentities(tx, tenantId, messages) : false;
  const loaded = await loadForPlan(
    tx,
    tenantId,
    messages.flatMap((m) => m.identities),
    settings,
    { lockOwners: exact },
  );
  const plan = new BatchPlan(settings, loaded.owner, loaded.profiles, loaded.blocked, kindOf, loaded.notSame);
  for (const m of messages) plan.resolve(m);
  if (write) await writePlan(tx, keys, tenantId, plan, settings, opts.nameForms, opts.pipeline);
  return plan;
}

/** Above this many identities a batch locks the tenant's resolution as a whole: the lock table is small. */
export const EXACT_LOCKS_UP_TO = 2000;

/**
 * Two workers must not both create a profile for the same new person, so a batch locks its identities (advisory,
 * until commit) before it reads them. PostgreSQL's lock table holds about 64 × max_connections locks for the
 * whole server (15,000 failed with "out of shared memory" here), so a large batch (an import's) takes one
 * exclusive lock on the tenant's resolution instead; small batches (the tracking pipeline's) hold it shared
 * alongside their per-identity locks. Tenant lock first, then keys in order: no deadlock. Answers true when it
 * locked per identity, that is when other batches may be resolving at the same time.
 */
async function lockIdentities(tx: Tx, tenantId: string, messages: MessageToResolve[]): Promise<boolean> {
  const tenantKey = `resolve|${tenantId}`;
  const keys = [...new Set(messages.flatMap((m) => m.identities.map((i) => `${i.type}|${i.key}`)))].sort();
  if (keys.length > EXACT_LOCKS_UP_TO) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${tenantKey}, 7270))`);
    return false;
  }
  await tx.execute(sql`select case when l.tenant then pg_advisory_xact_lock_shared(l.h) else pg_advisory_xact_lock(l.h) end
    from (select true as tenant, hashtextextended(${tenantKey}, 7270) as h
          union all
          select distinct false, hashtextextended(k, 7270) from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) k
          order by 1 desc, 2) l`);
  return true;
}
