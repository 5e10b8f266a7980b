import type { IdentityReview } from '@forecourt/contracts';
import { sql, type SQL } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { profileInScope } from '../customers/scope.js';
import { currentProfiles, profileSummaries } from './profile-summaries.js';
import { loadSettings } from './settings.js';

/** A review is the caller's only when they can see every profile it names. */
export function reviewInScope(scope: SQL): SQL {
  return sql`not exists (select 1 from unnest(r.profile_ids) as x(id)
    where not exists (select 1 from profiles p where p.tenant_id = r.tenant_id and p.id = x.id and ${scope}))`;
}

/** Open identity reviews in the caller's scope, newest first; each names the profiles as they are now (after merges). */
export async function listIdentityReviews(
  ctx: UseCaseContext,
  query: { limit: number; cursor?: string },
): Promise<{ items: IdentityReview[]; nextCursor: string | null }> {
  const t = ctx.auth.tenantId;
  const settings = await loadSettings(ctx.tx, t);
  const conditions = [sql`r.tenant_id = ${t}::uuid`, sql`r.status = 'open'`, reviewInScope(profileInScope(ctx.auth, settings))];
  const cursor = decodeCursor(query.cursor, 2);
  if (cursor) conditions.push(sql`(r.created_at, r.id) < (${String(cursor[0])}::timestamptz, ${String(cursor[1])}::uuid)`);
  const rows = await rowsOf<{
    id: string;
    identity_type: string;
    masked: string;
    reason: string;
    profile_ids: string[];
    created_at: Date | string;
    ckey: string;
  }>(
    ctx.tx,
    sql`select r.id, r.identity_type, r.masked, r.reason, r.profile_ids, r.created_at, r.created_at::text as ckey
        from identity_reviews r where ${sql.join(conditions, sql` and `)}
        order by r.created_at desc, r.id desc limit ${query.limit + 1}`,
  );
  const current = await currentProfiles(
    ctx.tx,
    t,
    rows.flatMap((r) => r.profile_ids),
  );
  const summaries = await profileSummaries(ctx.tx, t, [...new Set(current.values())]);
  const items = rows.map((r) => ({
    id: r.id,
    identityType: r.identity_type,
    masked: r.masked,
    reason: r.reason,
    profiles: [...new Set(r.profile_ids.flatMap((id) => current.get(id) ?? []))].flatMap((id) => summaries.get(id) ?? []),
    createdAt: new Date(r.created_at).toISOString(),
    ckey: r.ckey,
  }));
  const page = pageFrom(items, query.limit, (i) => [i.ckey, i.id]);
  return { items: page.items.map(({ ckey: _ckey, ...item }) => item), nextCursor: page.nextCursor };
}
