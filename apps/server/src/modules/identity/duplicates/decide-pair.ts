import type { DuplicateDecision, DuplicateDecisionResult } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../../platform/context.js';
import { rowsOf } from '../../../platform/db.js';
import { conflict, invalid, notFound } from '../../../platform/errors.js';
import { auditAction } from '../../audit/record-audit.js';
import { profileInScope } from '../../customers/scope.js';
import { mergeProfiles } from '../merge-profiles.js';
import { loadSettings } from '../settings.js';

/**
 * A reviewer's answer to a probable-duplicate pair. The pair row is locked first, so when two reviewers answer
 * at once the second waits, then finds it decided: 409. `not_same` is kept for good; the scan never proposes
 * the pair again, and the resolver never joins the two on its own either (load-plan.ts reads it).
 */
export async function decideDuplicatePair(
  ctx: UseCaseContext,
  first: string,
  second: string,
  input: DuplicateDecision,
): Promise<DuplicateDecisionResult> {
  if (first === second) throw invalid('params.b', 'a pair needs two different customers');
  const t = ctx.auth.tenantId;
  const [a, b] = first < second ? [first, second] : [second, first];
  const settings = await loadSettings(ctx.tx, t);
  const visible = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`select p.id from profiles p where p.tenant_id = ${t}::uuid and p.id in (${a}::uuid, ${b}::uuid) and ${profileInScope(ctx.auth, settings)}`,
  );
  const [pair] = await rowsOf<{ status: string; score: number; reasons: string[] }>(
    ctx.tx,
    sql`select status, score, reasons from duplicate_pairs where tenant_id = ${t}::uuid and profile_a = ${a}::uuid and profile_b = ${b}::uuid for update`,
  );
  if (!pair || visible.length < 2) throw notFound('Duplicate pair');
  if (pair.status !== 'open') throw conflict(`This pair was already decided (${pair.status}).`, { status: pair.status });

  const status = input.decision === 'merge' ? 'merged' : 'not_same';
  // Decided before the merge runs: applyMerge closes the absorbed side's other open pairs without a reviewer.
  await ctx.tx.execute(sql`
    update duplicate_pairs set status = ${status}, decided_by = ${ctx.auth.userId}::uuid, decided_at = now()
    where tenant_id = ${t}::uuid and profile_a = ${a}::uuid and profile_b = ${b}::uuid`);
  const details = { profileA: a, profileB: b, score: Number(pair.score), reasons: pair.reasons };
  if (input.decision === 'not_same') {
    await auditAction(ctx, { action: 'customer.duplicate_rejected', targetType: 'customer', targetId: a, details });
    return { status, survivorId: null };
  }
  const merged = await mergeProfiles(ctx, [a, b], 'duplicate_review');
  await auditAction(ctx, {
    action: 'customer.merged',
    targetType: 'customer',
    targetId: merged.survivorId,
    details: { ...details, via: 'duplicate_review', absorbedIds: merged.absorbedIds, mergeIds: merged.mergeIds },
  });
  return { status, survivorId: merged.survivorId };
}
