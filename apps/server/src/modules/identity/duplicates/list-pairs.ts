import type { DuplicatePage, DuplicateQuery } from '@forecourt/contracts';
import { sql, type SQL } from 'drizzle-orm';
import type { UseCaseContext } from '../../../platform/context.js';
import { rowsOf, toCount } from '../../../platform/db.js';
import { decodeCursor, pageFrom } from '../../../platform/pagination.js';
import { profileInScope } from '../../customers/scope.js';
import { profileSummaries } from '../profile-summaries.js';
import { loadSettings } from '../settings.js';

/** A pair is the caller's to review only when they can see both profiles; both must still be live. */
export function pairInScope(ctx: UseCaseContext, scope: SQL): SQL {
  const side = (column: SQL) =>
    sql`exists (select 1 from profiles p where p.tenant_id = d.tenant_id and p.id = ${column} and p.merged_into is null and ${scope})`;
  return sql`${side(sql`d.profile_a`)} and ${side(sql`d.profile_b`)}`;
}

/** Open pairs in the caller's scope, most likely first. */
export async function listDuplicatePairs(ctx: UseCaseContext, query: DuplicateQuery): Promise<DuplicatePage> {
  const t = ctx.auth.tenantId;
  const settings = await loadSettings(ctx.tx, t);
  const visible = [sql`d.tenant_id = ${t}::uuid`, sql`d.status = 'open'`, pairInScope(ctx, profileInScope(ctx.auth, settings))];
  const cursor = decodeCursor(query.cursor, 3);
  const page = cursor
    ? [
        ...visible,
        sql`(d.score, d.profile_a, d.profile_b) < (${Number(cursor[0])}::real, ${String(cursor[1])}::uuid, ${String(cursor[2])}::uuid)`,
      ]
    : visible;
  const rows = await rowsOf<{ profile_a: string; profile_b: string; score: number; reasons: string[]; created_at: Date | string }>(
    ctx.tx,
    sql`select d.profile_a, d.profile_b, d.score, d.reasons, d.created_at from duplicate_pairs d
        where ${sql.join(page, sql` and `)}
        order by d.score desc, d.profile_a desc, d.profile_b desc limit ${query.limit + 1}`,
  );
  const count = await rowsOf<{ n: number | string }>(
    ctx.tx,
    sql`select count(*) as n from duplicate_pairs d where ${sql.join(visible, sql` and `)}`,
  );
  const summaries = await profileSummaries(
    ctx.tx,
    t,
    rows.flatMap((r) => [r.profile_a, r.profile_b]),
  );
  const items = rows.map((r) => ({
    a: summaries.get(r.profile_a)!,
    b: summaries.get(r.profile_b)!,
    score: Number(r.score),
    reasons: r.reasons,
    createdAt: new Date(r.created_at).toISOString(),
  }));
  const { items: pageItems, nextCursor } = pageFrom(items, query.limit, (p) => [p.score, p.a.id, p.b.id]);
  return { items: pageItems, nextCursor, total: toCount(count[0]?.n) };
}
