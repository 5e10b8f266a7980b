import type { IdentityReviewDecision } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict, notFound } from '../../platform/errors.js';
import { auditAction } from '../audit/record-audit.js';
import { profileInScope } from '../customers/scope.js';
import { reviewInScope } from './list-identity-reviews.js';
import { mergeProfiles } from './merge-profiles.js';
import { currentProfileIds } from './profile-summaries.js';
import { loadSettings } from './settings.js';

const STATUS = { merge: 'merged', shared: 'shared', dismiss: 'dismissed' } as const;

/**
 * A reviewer's answer to a link the resolver refused: merge the profiles it names, mark the value shared (it stops
 * linking anyone, like a store's front-desk phone), or dismiss. Locked first: a second answer is a 409.
 */
export async function decideIdentityReview(ctx: UseCaseContext, id: string, input: IdentityReviewDecision) {
  const t = ctx.auth.tenantId;
  const settings = await loadSettings(ctx.tx, t);
  const [review] = await rowsOf<{ identity_type: string; identity_key: string; masked: string; profile_ids: string[]; status: string }>(
    ctx.tx,
    sql`select r.identity_type, r.identity_key, r.masked, r.profile_ids, r.status from identity_reviews r
        where r.tenant_id = ${t}::uuid and r.id = ${id}::uuid and ${reviewInScope(profileInScope(ctx.auth, settings))}
        for update`,
  );
  if (!review) throw notFound('Identity review');
  if (review.status !== 'open') throw conflict(`This review was already decided (${review.status}).`, { status: review.status });

  const status = STATUS[input.decision];
  let survivorId: string | null = null;
  let mergeIds: string[] = [];
  if (input.decision === 'merge') {
    const ids = await currentProfileIds(ctx.tx, t, review.profile_ids);
    if (ids.length > 1) {
      const merged = await mergeProfiles(ctx, ids, 'identity_review');
      survivorId = merged.survivorId;
      mergeIds = merged.mergeIds;
    } else survivorId = ids[0] ?? null;
  } else if (input.decision === 'shared') {
    await ctx.tx.execute(sql`
      insert into shared_identities (tenant_id, type, key, masked, conflicts, blocked, reason)
      values (${t}::uuid, ${review.identity_type}, ${review.identity_key}, ${review.masked}, 0, true, 'review')
      on conflict (tenant_id, type, key) do update set blocked = true, reason = 'review', updated_at = now()`);
  }
  await ctx.tx.execute(sql`
    update identity_reviews set status = ${status}, decided_by = ${ctx.auth.userId}::uuid, decided_at = now()
    where tenant_id = ${t}::uuid and id = ${id}::uuid`);
  await auditAction(ctx, {
    action: 'identity.review_decided',
    targetType: 'identity_review',
    targetId: id,
    details: { decision: input.decision, identityType: review.identity_type, profileIds: review.profile_ids, survivorId, mergeIds },
  });
  return { status, survivorId };
}
