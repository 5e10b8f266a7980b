import { sql } from 'drizzle-orm';
import type { Keys } from '../../platform/crypto.js';
import { rowsOf, type Tx } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { nameSearchForms } from '../customers/name-search.js';
import { sealIdentity } from './identity-values.js';
import type { BatchPlan, PlannedMerge } from './plan-batch.js';
import type { CdpSettings } from './settings.js';

/** Write a plan's profiles, identities, merges, reviews and conflicts (events are the caller's). */
export async function writePlan(tx: Tx, keys: Keys, tenantId: string, plan: BatchPlan, settings: CdpSettings): Promise<void> {
  const now = new Date().toISOString();
  const changed = [...plan.changedProfiles].map((id) => plan.profiles.get(id)!).filter(Boolean);
  const toRow = (p: (typeof changed)[number]) => {
    const forms = nameSearchForms(p.name);
    const survivor = plan.current(p.id);
    return {
      id: p.id,
      merged_into: survivor === p.id ? null : survivor,
      name: p.name,
      name_pinyin: forms.pinyin,
      name_initials: forms.initials,
      traits: p.traits,
      trait_sources: p.traitSources,
      tags: p.tags,
      lifecycle_stage: p.lifecycleStage,
      owner_org_unit_id: p.ownerOrgUnitId,
      owner_user_id: p.ownerUserId,
      city: p.city,
      first_seen_at: p.firstSeenAt,
      last_seen_at: p.lastSeenAt,
    };
  };
  const created = changed.filter((p) => p.isNew).map(toRow);
  if (created.length > 0) {
    await tx.execute(sql`
      insert into profiles (tenant_id, id, merged_into, name, name_pinyin, name_initials, traits, trait_sources, tags, lifecycle_stage,
                            owner_org_unit_id, owner_user_id, city, first_seen_at, last_seen_at, created_at, updated_at)
      select ${tenantId}::uuid, id, null, name, name_pinyin, name_initials, traits, trait_sources,
             array(select jsonb_array_elements_text(tags)), lifecycle_stage, owner_org_unit_id, owner_user_id, city,
             first_seen_at, last_seen_at, ${now}::timestamptz, ${now}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(created)}::jsonb) as x(id uuid, name text, name_pinyin text, name_initials text,
           traits jsonb, trait_sources jsonb, tags jsonb, lifecycle_stage text, owner_org_unit_id uuid, owner_user_id uuid,
           city text, first_seen_at timestamptz, last_seen_at timestamptz)`);
  }

  const fresh = [...plan.newIdentities.values()].map((n) => ({
    type: n.identity.type,
    key: n.identity.key,
    profile_id: n.originProfileId,
    value_enc: sealIdentity(keys, n.identity),
    masked: n.identity.masked,
    last4: n.identity.last4,
    source_id: n.sourceId,
    at: n.at,
  }));
  if (fresh.length > 0) {
    // Identities join the profile that first got them; merges below move them on with everything else.
    await tx.execute(sql`
      insert into identities (tenant_id, type, key, profile_id, origin_profile_id, value_enc, masked, last4, source_id, first_seen_at, last_seen_at)
      select ${tenantId}::uuid, type, key, profile_id, profile_id, value_enc, masked, last4, source_id, at, at
      from jsonb_to_recordset(${JSON.stringify(fresh)}::jsonb) as x(type text, key text, profile_id uuid, value_enc text,
           masked text, last4 text, source_id uuid, at timestamptz)
      on conflict (tenant_id, type, key) do nothing`);
  }
  const seen = [...plan.seenIdentities.keys()]
    .filter((r) => !plan.newIdentities.has(r))
    .map((r) => {
      const [type, key] = r.split('|');
      return { type, key };
    });
  if (seen.length > 0) {
    await tx.execute(sql`
      update identities i set last_seen_at = ${now}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(seen)}::jsonb) as x(type text, key text)
      where i.tenant_id = ${tenantId}::uuid and i.type = x.type and i.key = x.key and i.last_seen_at < ${now}::timestamptz - interval '1 minute'`);
  }

  for (const merge of plan.merges) await applyMerge(tx, tenantId, merge, null);

  const updated = changed.filter((p) => !p.isNew || plan.current(p.id) !== p.id).map(toRow);
  if (updated.length > 0) {
    await tx.execute(sql`
      update profiles p set merged_into = x.merged_into, name = x.name, name_pinyin = x.name_pinyin, name_initials = x.name_initials,
             traits = x.traits, trait_sources = x.trait_sources, tags = array(select jsonb_array_elements_text(x.tags)),
             owner_org_unit_id = x.owner_org_unit_id, owner_user_id = x.owner_user_id, city = x.city,
             first_seen_at = x.first_seen_at, last_seen_at = x.last_seen_at, updated_at = ${now}::timestamptz, version = p.version + 1
      from jsonb_to_recordset(${JSON.stringify(updated)}::jsonb) as x(id uuid, merged_into uuid, name text, name_pinyin text,
           name_initials text, traits jsonb, trait_sources jsonb, tags jsonb, owner_org_unit_id uuid, owner_user_id uuid, city text,
           first_seen_at timestamptz, last_seen_at timestamptz)
      where p.tenant_id = ${tenantId}::uuid and p.id = x.id`);
  }

  if (plan.reviews.length > 0) {
    const rows = plan.reviews.map((r) => ({
      id: uuidv7(),
      type: r.type,
      key: r.key,
      masked: r.masked,
      profile_ids: r.profileIds,
      reason: r.reason,
    }));
    await tx.execute(sql`
      insert into identity_reviews (tenant_id, id, identity_type, identity_key, masked, profile_ids, reason)
      select ${tenantId}::uuid, id, type, key, masked, array(select jsonb_array_elements_text(profile_ids)::uuid), reason
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, type text, key text, masked text, profile_ids jsonb, reason text)`);
  }
  if (plan.conflicts.size > 0) {
    const rows = [...plan.conflicts.values()];
    await tx.execute(sql`
      insert into shared_identities (tenant_id, type, key, masked, conflicts, blocked, reason)
      select ${tenantId}::uuid, type, key, masked, n, n >= ${settings.sharedAfterConflicts}, 'conflicts'
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(type text, key text, masked text, n int)
      on conflict (tenant_id, type, key) do update
        set conflicts = shared_identities.conflicts + excluded.conflicts,
            blocked = shared_identities.blocked or shared_identities.conflicts + excluded.conflicts >= ${settings.sharedAfterConflicts},
            updated_at = now()`);
  }
}

/**
 * Move everything of the absorbed profile to the survivor and record the merge with both
 * snapshots (the absorbed side's identities are read before they move).
 */
export async function applyMerge(tx: Tx, tenantId: string, merge: PlannedMerge, actorId: string | null): Promise<void> {
  const { survivorId: s, absorbedId: a } = merge;
  const ids = await rowsOf<{ type: string; key: string; masked: string }>(
    tx,
    sql`select type, key, masked from identities where tenant_id = ${tenantId}::uuid and profile_id = ${a}::uuid`,
  );
  merge.snapshot.absorbed.identities = ids;
  await tx.execute(sql`update identities set profile_id = ${s}::uuid where tenant_id = ${tenantId}::uuid and profile_id = ${a}::uuid`);
  await tx.execute(sql`update events set profile_id = ${s}::uuid where tenant_id = ${tenantId}::uuid and profile_id = ${a}::uuid`);
  await tx.execute(sql`update consents set profile_id = ${s}::uuid where tenant_id = ${tenantId}::uuid and profile_id = ${a}::uuid`);
  await tx.execute(sql`
    insert into profile_vehicles (tenant_id, profile_id, vin, source_id, since)
    select tenant_id, ${s}::uuid, vin, source_id, since from profile_vehicles where tenant_id = ${tenantId}::uuid and profile_id = ${a}::uuid
    on conflict do nothing`);
  await tx.execute(sql`
    insert into profile_units (tenant_id, profile_id, org_unit_id, path, reason)
    select tenant_id, ${s}::uuid, org_unit_id, path, 'merge' from profile_units where tenant_id = ${tenantId}::uuid and profile_id = ${a}::uuid
    on conflict do nothing`);
  await tx.execute(
    sql`update profiles set merged_into = ${s}::uuid, updated_at = now() where tenant_id = ${tenantId}::uuid and id = ${a}::uuid`,
  );
  await tx.execute(sql`
    update duplicate_pairs set status = 'merged', decided_at = now()
    where tenant_id = ${tenantId}::uuid and status = 'open' and (profile_a = ${a}::uuid or profile_b = ${a}::uuid)`);
  await tx.execute(sql`
    insert into merges (tenant_id, id, survivor_id, absorbed_id, reason, actor_id, snapshot)
    values (${tenantId}::uuid, ${merge.id}::uuid, ${s}::uuid, ${a}::uuid, ${merge.reason}, ${actorId}, ${JSON.stringify(merge.snapshot)}::jsonb)`);
}
