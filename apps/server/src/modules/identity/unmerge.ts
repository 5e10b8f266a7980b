import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict, notFound } from '../../platform/errors.js';
import { auditAction } from '../audit/record-audit.js';
import { nameSearchForms } from '../customers/name-search.js';
import { markForDuplicateScan } from './duplicates/mark-stale.js';
import { FOLLOWS_PROFILE } from './write-plan.js';
import type { MergeSnapshot } from './schema.js';
import { packTraitSources, unpackTraitSources, type StoredTraitSources } from './traits.js';
import type { TraitSources } from '../customers/schema.js';

/**
 * Undo a merge: the absorbed profile comes back with its identities, its events (and those of
 * profiles merged into it before), and its traits as they were; the survivor keeps the traits it
 * had plus what changed after the merge. The pair is remembered so resolution never joins it again.
 */
export async function unmerge(ctx: UseCaseContext, survivorId: string, mergeId: string) {
  const t = ctx.auth.tenantId;
  const [merge] = await rowsOf<{
    survivor_id: string;
    absorbed_id: string;
    at: Date | string;
    snapshot: MergeSnapshot;
    unmerged_at: unknown;
  }>(
    ctx.tx,
    sql`select survivor_id, absorbed_id, at, snapshot, unmerged_at from merges where tenant_id = ${t}::uuid and id = ${mergeId}::uuid and survivor_id = ${survivorId}::uuid for update`,
  );
  if (!merge) throw notFound('Merge');
  if (merge.unmerged_at) throw conflict('This merge was already undone.');
  const s = merge.survivor_id;
  const a = merge.absorbed_id;
  const mergedAt = new Date(merge.at).toISOString();
  const origins = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`with recursive side(id) as (
          select ${a}::uuid
          union select m.absorbed_id from merges m join side on m.survivor_id = side.id
          where m.tenant_id = ${t}::uuid and m.unmerged_at is null and m.id <> ${mergeId}::uuid
        ) select id from side`,
  );
  const side = JSON.stringify(origins.map((o) => o.id));
  const inSide = sql`in (select jsonb_array_elements_text(${side}::jsonb)::uuid)`;
  await ctx.tx.execute(
    sql`update identities set profile_id = ${a}::uuid where tenant_id = ${t}::uuid and profile_id = ${s}::uuid and origin_profile_id ${inSide}`,
  );
  const moved = await rowsOf<{ n: number | string }>(
    ctx.tx,
    sql`with u as (update events set profile_id = ${a}::uuid where tenant_id = ${t}::uuid and profile_id = ${s}::uuid and origin_profile_id ${inSide} returning 1) select count(*) as n from u`,
  );
  // Consent goes back to the person who gave it.
  await ctx.tx.execute(
    sql`update consents set profile_id = ${a}::uuid where tenant_id = ${t}::uuid and profile_id = ${s}::uuid and origin_profile_id ${inSide}`,
  );
  for (const table of FOLLOWS_PROFILE)
    await ctx.tx.execute(
      sql`update ${sql.raw(table)} set profile_id = ${a}::uuid where tenant_id = ${t}::uuid and profile_id = ${s}::uuid and origin_profile_id ${inSide}`,
    );
  // Profiles merged into the absorbed side follow it back.
  await ctx.tx.execute(
    sql`update profiles set merged_into = ${a}::uuid where tenant_id = ${t}::uuid and merged_into = ${s}::uuid and id ${inSide} and id <> ${a}::uuid`,
  );

  const [current] = await rowsOf<{
    traits: Record<string, unknown>;
    trait_sources: StoredTraitSources;
  }>(ctx.tx, sql`select traits, trait_sources from profiles where tenant_id = ${t}::uuid and id = ${s}::uuid`);
  const traits = { ...merge.snapshot.survivor.traits };
  const sources = { ...(merge.snapshot.survivor.traitSources as Record<string, { sourceId: string | null; at: string }>) };
  for (const [key, meta] of Object.entries(unpackTraitSources(current?.traits ?? {}, current?.trait_sources))) {
    if (meta.at > mergedAt) {
      traits[key] = current!.traits[key];
      sources[key] = meta;
    }
  }
  const survivorForms = nameSearchForms(merge.snapshot.survivor.name);
  await ctx.tx.execute(sql`
    update profiles set traits = ${JSON.stringify(traits)}::jsonb, trait_sources = ${JSON.stringify(packTraitSources(traits, sources))}::jsonb,
           name = ${merge.snapshot.survivor.name}, name_pinyin = ${survivorForms.pinyin}, name_initials = ${survivorForms.initials},
           tags = array(select jsonb_array_elements_text(${JSON.stringify(merge.snapshot.survivor.tags)}::jsonb)),
           city = ${cityOf(traits)}, lifecycle_stage = ${merge.snapshot.survivor.lifecycleStage},
           owner_org_unit_id = ${merge.snapshot.survivor.ownerOrgUnitId}::uuid, owner_user_id = ${merge.snapshot.survivor.ownerUserId}::uuid,
           updated_at = now(), version = version + 1
    where tenant_id = ${t}::uuid and id = ${s}::uuid`);
  const abs = merge.snapshot.absorbed;
  const absForms = nameSearchForms(abs.name);
  await ctx.tx.execute(sql`
    update profiles set merged_into = null, traits = ${JSON.stringify(abs.traits)}::jsonb, trait_sources = ${JSON.stringify(packTraitSources(abs.traits, abs.traitSources as TraitSources))}::jsonb,
           name = ${abs.name}, name_pinyin = ${absForms.pinyin}, name_initials = ${absForms.initials},
           tags = array(select jsonb_array_elements_text(${JSON.stringify(abs.tags)}::jsonb)),
           city = ${cityOf(abs.traits)}, lifecycle_stage = ${abs.lifecycleStage},
           owner_org_unit_id = ${abs.ownerOrgUnitId}::uuid, owner_user_id = ${abs.ownerUserId}::uuid, updated_at = now(), version = version + 1
    where tenant_id = ${t}::uuid and id = ${a}::uuid`);
  await ctx.tx.execute(
    sql`update merges set unmerged_at = now(), unmerged_by = ${ctx.auth.userId}::uuid where tenant_id = ${t}::uuid and id = ${mergeId}::uuid`,
  );
  // A person decided these are two people: never join them again on their own.
  const [lo, hi] = s < a ? [s, a] : [a, s];
  await ctx.tx.execute(sql`
    insert into duplicate_pairs (tenant_id, profile_a, profile_b, score, reasons, status, decided_by, decided_at)
    values (${t}::uuid, ${lo}::uuid, ${hi}::uuid, 0, '{unmerged}', 'not_same', ${ctx.auth.userId}::uuid, now())
    on conflict (tenant_id, profile_a, profile_b) do update set status = 'not_same', decided_by = excluded.decided_by, decided_at = now()`);
  await markForDuplicateScan(ctx.tx, t, [s, a]);
  await auditAction(ctx, {
    action: 'customer.unmerged',
    targetType: 'customer',
    targetId: s,
    details: { mergeId, restoredProfileId: a, eventsMoved: Number(moved[0]?.n ?? 0) },
  });
  return { survivorId: s, restoredId: a };
}

/** A profile's city column follows its `city` trait (as in plan-batch). */
function cityOf(traits: Record<string, unknown>): string | null {
  return typeof traits.city === 'string' ? traits.city : null;
}
