// The duplicate scan's work queue lives in profile_blocking_keys itself, as reserved keys that start with '~'
// (hashed blocking keys are base64url and never do):
//
//   ~stale       this profile changed; its keys must be recomputed and its pairs rescored
//   ~f:<hash>    fingerprint of what the scorer reads (name, phones, e-mails, city, vehicle): an unchanged
//                fingerprint lets the scan skip a profile that only got new events
//   ~keyed       one row per tenant (profile_id = tenant id): the tenant's existing profiles were queued once
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../../platform/db.js';

export const STALE_KEY = '~stale';
export const FINGERPRINT_PREFIX = '~f:';
export const KEYED_KEY = '~keyed';

/**
 * Queue profiles for the next duplicate scan, in the caller's transaction. Every writer of a profile's name,
 * city, traits, phones or e-mails calls this (the resolver's writePlan does, so the pipeline and imports are
 * covered; so do merges and unmerges).
 *
 * `do update` rather than `do nothing`: it locks an existing mark until this transaction commits, so a scan
 * running now skips it (SKIP LOCKED) instead of reading the profile before this change is visible and then
 * deleting the only mark that would have brought it back.
 */
export async function markForDuplicateScan(tx: Executor, tenantId: string, profileIds: Iterable<string>): Promise<void> {
  const marks = duplicateScanMarks(tenantId, profileIds);
  if (marks) await tx.execute(marks);
}

/** The statement of markForDuplicateScan, for a caller that sends it in a pipeline; null when there is nothing to mark. */
export function duplicateScanMarks(tenantId: string, profileIds: Iterable<string>): SQL | null {
  const ids = [...new Set(profileIds)].sort();
  if (ids.length === 0) return null;
  return sql`
    insert into profile_blocking_keys (tenant_id, key, profile_id)
    select ${tenantId}::uuid, ${STALE_KEY}, id::uuid from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) as id
    on conflict (tenant_id, key, profile_id) do update set key = excluded.key`;
}

/** Queue every live profile of the tenant (a rebuild, or data written before the scan existed). */
export async function markAllForDuplicateScan(tx: Executor, tenantId: string): Promise<void> {
  await tx.execute(sql`
    insert into profile_blocking_keys (tenant_id, key, profile_id)
    select tenant_id, ${STALE_KEY}, id from profiles where tenant_id = ${tenantId}::uuid and merged_into is null
    on conflict (tenant_id, key, profile_id) do nothing`);
  await tx.execute(sql`
    insert into profile_blocking_keys (tenant_id, key, profile_id) values (${tenantId}::uuid, ${KEYED_KEY}, ${tenantId}::uuid)
    on conflict (tenant_id, key, profile_id) do nothing`);
}
