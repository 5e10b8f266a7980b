import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { nameSearchForms } from '../customers/name-search.js';
import { loadProfiles } from './load-plan.js';
import { foldProfile, profileSnapshot, type PlannedMerge, type ProfileState } from './plan-batch.js';
import { loadSettings } from './settings.js';
import { packTraitSources } from './traits.js';
import { anyUuid } from './duplicates/sql-lists.js';
import { applyMerge } from './write-plan.js';

export interface ManualMerge {
  survivorId: string;
  absorbedIds: string[];
  mergeIds: string[];
}

/**
 * A reviewer's merge (a probable-duplicate pair, an identity review). The oldest profile survives, as in
 * automatic merges (ids are UUIDv7, so the smallest is the oldest): it is the id that links and records made
 * so far most likely point to. Everything else moves exactly as in an automatic merge (applyMerge: identities,
 * events, consents, vehicles, scope links; a merge record with both snapshots, so it can be undone).
 * The caller checks scope and audits.
 */
export async function mergeProfiles(
  ctx: UseCaseContext,
  profileIds: string[],
  reason: 'duplicate_review' | 'identity_review',
): Promise<ManualMerge> {
  const t = ctx.auth.tenantId;
  const ids = [...new Set(profileIds)].sort();
  // Locked in id order, so two merges of overlapping profiles queue up instead of deadlocking.
  const rows = await rowsOf<{ id: string; merged_into: string | null }>(
    ctx.tx,
    sql`select id, merged_into from profiles
        where tenant_id = ${t}::uuid and id = ${anyUuid(ids)}
        order by id for update`,
  );
  if (rows.length !== ids.length || rows.some((r) => r.merged_into !== null))
    throw conflict('One of these customers was merged or erased meanwhile; reload and review again.');
  const settings = await loadSettings(ctx.tx, t);
  const states = new Map<string, ProfileState>();
  await loadProfiles(ctx.tx, t, ids, settings, states);

  // A once-only type with two values (two WeChat unionids, two userIds of one source) means two people, or needs
  // a person to remove one value first; a reviewer cannot override the tenant's rule by merging. A userId is
  // scoped by its source (identities.source_id), so userIds of two systems may sit on one profile.
  const limited = Object.entries(settings.identityTypes).filter(([, rule]) => rule.maxPerProfile !== null);
  const counts = await rowsOf<{ type: string; n: number | string }>(
    ctx.tx,
    sql`select type, count(distinct key) as n from identities
        where tenant_id = ${t}::uuid and profile_id = ${anyUuid(ids)}
          and type in (select jsonb_array_elements_text(${JSON.stringify(limited.map(([type]) => type))}::jsonb))
        group by type, case when type = 'user_id' then source_id end`,
  );
  for (const c of counts) {
    const max = settings.identityTypes[c.type as keyof typeof settings.identityTypes]?.maxPerProfile ?? null;
    if (max !== null && Number(c.n) > max)
      throw conflict(
        `These customers hold ${Number(c.n)} different ${c.type} values and a customer may hold ${max}: they cannot be merged.`,
        {
          reason: 'identity_limit',
          identityType: c.type,
        },
      );
  }

  const sources = await rowsOf<{ id: string; kind: string }>(ctx.tx, sql`select id, kind from sources where tenant_id = ${t}::uuid`);
  const kinds = new Map(sources.map((s) => [s.id, s.kind]));
  const kindOf = (id: string | null) => (id ? (kinds.get(id) ?? null) : null);

  const survivor = states.get(ids[0]!)!;
  const mergeIds: string[] = [];
  for (const id of ids.slice(1)) {
    const absorbed = states.get(id)!;
    const merge: PlannedMerge = {
      id: uuidv7(),
      survivorId: survivor.id,
      absorbedId: absorbed.id,
      reason,
      snapshot: { survivor: profileSnapshot(survivor), absorbed: profileSnapshot(absorbed) },
    };
    foldProfile(survivor, absorbed, settings, kindOf);
    await applyMerge(ctx.tx, t, merge, ctx.auth.userId);
    mergeIds.push(merge.id);
  }
  const forms = nameSearchForms(survivor.name);
  await ctx.tx.execute(sql`
    update profiles set name = ${survivor.name}, name_pinyin = ${forms.pinyin}, name_initials = ${forms.initials},
           traits = ${JSON.stringify(survivor.traits)}::jsonb, trait_sources = ${JSON.stringify(packTraitSources(survivor.traits, survivor.traitSources))}::jsonb,
           tags = array(select jsonb_array_elements_text(${JSON.stringify(survivor.tags)}::jsonb)),
           owner_org_unit_id = ${survivor.ownerOrgUnitId}::uuid, owner_user_id = ${survivor.ownerUserId}::uuid, city = ${survivor.city},
           first_seen_at = ${survivor.firstSeenAt}::timestamptz, last_seen_at = ${survivor.lastSeenAt}::timestamptz,
           updated_at = now(), version = version + 1
    where tenant_id = ${t}::uuid and id = ${survivor.id}::uuid`);
  return { survivorId: survivor.id, absorbedIds: ids.slice(1), mergeIds };
}
