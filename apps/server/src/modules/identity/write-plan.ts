import { sql } from 'drizzle-orm';
import type { Keys } from '../../platform/crypto.js';
import { rowsOf, StatementPipeline, type Tx } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { nameSearchForms } from '../customers/name-search.js';
import { duplicateScanMarks, markForDuplicateScan } from './duplicates/mark-stale.js';
import { sealIdentity } from './identity-values.js';
import { packTraitSources } from './traits.js';
import type { BatchPlan, PlannedMerge } from './plan-batch.js';
import type { CdpSettings } from './settings.js';

/** Sales-pipeline tables that carry profile_id and origin_profile_id and move with a merge or unmerge. */
export const FOLLOWS_PROFILE = ['leads', 'lead_activities', 'tasks', 'orders'] as const;

/** Write a plan's profiles, identities, merges, reviews and conflicts (events are the caller's). */
export type NameForms = ReadonlyMap<string, ReturnType<typeof nameSearchForms>>;

export async function writePlan(
  tx: Tx,
  keys: Keys,
  tenantId: string,
  plan: BatchPlan,
  settings: CdpSettings,
  nameForms?: NameForms,
  pipeline?: StatementPipeline,
): Promise<void> {
  // With the caller's pipeline the statements are only sent (the caller flushes); otherwise flushed here.
  const pipe = pipeline ?? new StatementPipeline(tx);
  const now = new Date().toISOString();
  const changed = [...plan.changedProfiles].map((id) => plan.profiles.get(id)!).filter(Boolean);
  const toRow = (p: (typeof changed)[number]) => {
    const forms = (p.name !== null && nameForms?.get(p.name)) || nameSearchForms(p.name);
    const survivor = plan.current(p.id);
    return {
      id: p.id,
      merged_into: survivor === p.id ? null : survivor,
      name: p.name,
      name_pinyin: forms.pinyin,
      name_initials: forms.initials,
      traits: p.traits,
      trait_sources: packTraitSources(p.traits, p.traitSources),
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
    pipe.send(sql`
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
    pipe.send(sql`
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
    pipe.send(sql`
      update identities i set last_seen_at = ${now}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(seen)}::jsonb) as x(type text, key text)
      where i.tenant_id = ${tenantId}::uuid and i.type = x.type and i.key = x.key and i.last_seen_at < ${now}::timestamptz - interval '1 minute'`);
  }

  if (plan.merges.length > 0) {
    // Sent statements run first anyway; waiting here reports a failure above as itself, not as the aborted
    // transaction applyMerges would then meet.
    await pipe.flush();
    await applyMerges(tx, tenantId, plan.merges, null);
  }

  const updated = changed.filter((p) => !p.isNew || plan.current(p.id) !== p.id).map(toRow);
  if (updated.length > 0) {
    pipe.send(sql`
      update profiles p set merged_into = x.merged_into, name = x.name, name_pinyin = x.name_pinyin, name_initials = x.name_initials,
             traits = x.traits, trait_sources = x.trait_sources, tags = array(select jsonb_array_elements_text(x.tags)),
             owner_org_unit_id = x.owner_org_unit_id, owner_user_id = x.owner_user_id, city = x.city,
             first_seen_at = x.first_seen_at, last_seen_at = x.last_seen_at, updated_at = ${now}::timestamptz, version = p.version + 1
      from jsonb_to_recordset(${JSON.stringify(updated)}::jsonb) as x(id uuid, merged_into uuid, name text, name_pinyin text,
           name_initials text, traits jsonb, trait_sources jsonb, tags jsonb, owner_org_unit_id uuid, owner_user_id uuid, city text,
           first_seen_at timestamptz, last_seen_at timestamptz)
      where p.tenant_id = ${tenantId}::uuid and p.id = x.id
        -- A page view only moves last_seen_at: like identities, written at most once a minute. Every rewrite of a
        -- profile touches all its indexes (updated_at is one of them), and a visit is a burst of page views.
        and (p.last_seen_at < x.last_seen_at - interval '1 minute' or p.first_seen_at <> x.first_seen_at
             or p.merged_into is distinct from x.merged_into or p.name is distinct from x.name or p.city is distinct from x.city
             or p.traits <> x.traits or p.trait_sources <> x.trait_sources or p.tags <> array(select jsonb_array_elements_text(x.tags))
             or p.owner_org_unit_id is distinct from x.owner_org_unit_id or p.owner_user_id is distinct from x.owner_user_id)`);
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
    pipe.send(sql`
      insert into identity_reviews (tenant_id, id, identity_type, identity_key, masked, profile_ids, reason)
      select ${tenantId}::uuid, id, type, key, masked, array(select jsonb_array_elements_text(profile_ids)::uuid), reason
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, type text, key text, masked text, profile_ids jsonb, reason text)`);
  }
  if (plan.conflicts.size > 0) {
    const rows = [...plan.conflicts.values()];
    pipe.send(sql`
      insert into shared_identities (tenant_id, type, key, masked, conflicts, blocked, reason)
      select ${tenantId}::uuid, type, key, masked, n, n >= ${settings.sharedAfterConflicts}, 'conflicts'
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(type text, key text, masked text, n int)
      on conflict (tenant_id, type, key) do update
        set conflicts = shared_identities.conflicts + excluded.conflicts,
            blocked = shared_identities.blocked or shared_identities.conflicts + excluded.conflicts >= ${settings.sharedAfterConflicts},
            updated_at = now()`);
  }
  const marks = duplicateScanMarks(tenantId, plan.rekeyProfiles);
  if (marks) pipe.send(marks);
  if (!pipeline) await pipe.flush();
}

/** One merge (a reviewer's); see applyMerges. */
export async function applyMerge(tx: Tx, tenantId: string, merge: PlannedMerge, actorId: string | null): Promise<void> {
  await applyMerges(tx, tenantId, [merge], actorId);
}

/**
 * Move everything of the absorbed profiles to their survivors and record each merge with both snapshots, in
 * the same few statements however many merges a batch makes (one statement per merge and table made merges
 * the pipeline's largest cost). A survivor may itself be absorbed later in the batch (A into B, then B into C):
 * rows move straight to the last survivor, vehicles and scope links are copied to every survivor on the way,
 * and each snapshot lists the identities the absorbed side held at its merge, including those it gained from
 * earlier merges of the batch: the same end state as applying the merges one after another.
 */
export async function applyMerges(tx: Tx, tenantId: string, merges: PlannedMerge[], actorId: string | null): Promise<void> {
  if (merges.length === 0) return;
  const next = new Map(merges.map((m) => [m.absorbedId, m.survivorId]));
  const survivorsOf = (id: string) => {
    const chain: string[] = [];
    for (let at = next.get(id); at && chain.length < 100; at = next.get(at)) chain.push(at);
    return chain;
  };
  const absorbed = [...next.keys()];
  const absorbedJson = JSON.stringify(absorbed);
  type Held = { type: string; key: string; masked: string };
  const held = new Map<string, Held[]>();
  const found = await rowsOf<Held & { profile_id: string }>(
    tx,
    sql`select profile_id, type, key, masked from identities
        where tenant_id = ${tenantId}::uuid and profile_id in (select jsonb_array_elements_text(${absorbedJson}::jsonb)::uuid)`,
  );
  for (const { profile_id, ...identity } of found) held.set(profile_id, [...(held.get(profile_id) ?? []), identity]);
  for (const m of merges) {
    const own = held.get(m.absorbedId) ?? [];
    m.snapshot.absorbed.identities = own;
    held.set(m.survivorId, [...(held.get(m.survivorId) ?? []), ...own]);
  }

  const moves = JSON.stringify(absorbed.map((a) => ({ a, s: survivorsOf(a).at(-1) })));
  const copies = JSON.stringify(absorbed.flatMap((a) => survivorsOf(a).map((s) => ({ a, s }))));
  const moved = sql`jsonb_to_recordset(${moves}::jsonb) as x(a uuid, s uuid)`;
  await tx.execute(
    sql`update identities i set profile_id = x.s from ${moved} where i.tenant_id = ${tenantId}::uuid and i.profile_id = x.a`,
  );
  await tx.execute(sql`update events e set profile_id = x.s from ${moved} where e.tenant_id = ${tenantId}::uuid and e.profile_id = x.a`);
  await tx.execute(sql`update consents c set profile_id = x.s from ${moved} where c.tenant_id = ${tenantId}::uuid and c.profile_id = x.a`);
  // Leads and their work follow the person (issue 4); their origin_profile_id lets an unmerge send them back.
  for (const table of FOLLOWS_PROFILE)
    await tx.execute(
      sql`update ${sql.raw(table)} t set profile_id = x.s from ${moved} where t.tenant_id = ${tenantId}::uuid and t.profile_id = x.a`,
    );
  await tx.execute(sql`
    insert into profile_vehicles (tenant_id, profile_id, vin, source_id, since)
    select v.tenant_id, x.s, v.vin, v.source_id, v.since
    from profile_vehicles v join jsonb_to_recordset(${copies}::jsonb) as x(a uuid, s uuid) on v.profile_id = x.a
    where v.tenant_id = ${tenantId}::uuid
    on conflict do nothing`);
  await tx.execute(sql`
    insert into profile_units (tenant_id, profile_id, org_unit_id, path, reason)
    select u.tenant_id, x.s, u.org_unit_id, u.path, 'merge'
    from profile_units u join jsonb_to_recordset(${copies}::jsonb) as x(a uuid, s uuid) on u.profile_id = x.a
    where u.tenant_id = ${tenantId}::uuid
    on conflict do nothing`);
  await tx.execute(
    sql`update profiles p set merged_into = x.s, updated_at = now() from ${moved} where p.tenant_id = ${tenantId}::uuid and p.id = x.a`,
  );
  await tx.execute(sql`
    update duplicate_pairs set status = 'merged', decided_at = now()
    where tenant_id = ${tenantId}::uuid and status = 'open'
      and (profile_a in (select jsonb_array_elements_text(${absorbedJson}::jsonb)::uuid)
           or profile_b in (select jsonb_array_elements_text(${absorbedJson}::jsonb)::uuid))`);
  const records = merges.map((m) => ({ id: m.id, s: m.survivorId, a: m.absorbedId, reason: m.reason, snapshot: m.snapshot }));
  await tx.execute(sql`
    insert into merges (tenant_id, id, survivor_id, absorbed_id, reason, actor_id, snapshot)
    select ${tenantId}::uuid, id, s, a, reason, ${actorId}::uuid, snapshot
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as x(id uuid, s uuid, a uuid, reason text, snapshot jsonb)`);
  await markForDuplicateScan(
    tx,
    tenantId,
    merges.flatMap((m) => [m.survivorId, m.absorbedId]),
  );
}
