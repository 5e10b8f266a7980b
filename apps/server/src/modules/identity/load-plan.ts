import type { IdentityType } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { pgTextArray, rowsOf, type Tx } from '../../platform/db.js';
import type { IdentityValue } from './identity-values.js';
import { limitGroup, type ProfileState } from './plan-batch.js';
import type { CdpSettings } from './settings.js';
import { unpackTraitSources, type StoredTraitSources } from './traits.js';

interface ProfileRow {
  id: string;
  name: string | null;
  traits: Record<string, unknown>;
  trait_sources: StoredTraitSources;
  tags: string[];
  lifecycle_stage: string;
  owner_org_unit_id: string | null;
  owner_user_id: string | null;
  city: string | null;
  first_seen_at: string | Date;
  last_seen_at: string | Date;
}

const iso = (v: string | Date) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

/** Loads what a plan needs about the identities a batch mentions: their owners, blocked values, and those profiles. */
export async function loadForPlan(
  tx: Tx,
  tenantId: string,
  identities: IdentityValue[],
  settings: CdpSettings,
  /** Lock the profiles the identities lead to before reading them (see `lockOwners`). */
  opts: { lockOwners?: boolean } = {},
): Promise<{ owner: Map<string, string>; blocked: Set<string>; notSame: Set<string>; profiles: Map<string, ProfileState> }> {
  const pairs = [...new Map(identities.map((i) => [`${i.type}|${i.key}`, { type: i.type, key: i.key }])).values()];
  const owner = new Map<string, string>();
  const blocked = new Set<string>();
  const profiles = new Map<string, ProfileState>();
  const notSame = new Set<string>();
  if (pairs.length === 0) return { owner, blocked, notSame, profiles };
  const json = JSON.stringify(pairs);
  // One index lookup per identity, whatever the statistics say: a hash join would read every identity of the
  // tenant for each batch (it did, while a large import outgrew the table's last ANALYZE).
  const lookUp = () =>
    rowsOf<{ type: string; key: string; profile_id: string }>(
      tx,
      sql`select x.type, x.key, i.profile_id from jsonb_to_recordset(${json}::jsonb) as x(type text, key text)
          cross join lateral (select i.profile_id from identities i
                              where i.tenant_id = ${tenantId}::uuid and i.type = x.type and i.key = x.key limit 1) i`,
    );
  let found = await lookUp();
  if (opts.lockOwners) found = await lockOwners(tx, tenantId, found, lookUp);
  for (const r of found) owner.set(`${r.type}|${r.key}`, r.profile_id);
  const shared = await rowsOf<{ type: string; key: string }>(
    tx,
    sql`select s.type, s.key from shared_identities s
        join jsonb_to_recordset(${json}::jsonb) as x(type text, key text) on s.type = x.type and s.key = x.key
        where s.tenant_id = ${tenantId}::uuid and s.blocked`,
  );
  for (const r of shared) blocked.add(`${r.type}|${r.key}`);
  const foundIds = JSON.stringify([...new Set(owner.values())]);
  // Pairs a person declared to be two people (an unmerge, a "not the same" decision).
  const separate = await rowsOf<{ profile_a: string; profile_b: string }>(
    tx,
    sql`select profile_a, profile_b from duplicate_pairs where tenant_id = ${tenantId}::uuid and status = 'not_same'
        and profile_a in (select jsonb_array_elements_text(${foundIds}::jsonb)::uuid) and profile_b in (select jsonb_array_elements_text(${foundIds}::jsonb)::uuid)`,
  );
  for (const r of separate) notSame.add(`${r.profile_a}|${r.profile_b}`);
  await loadProfiles(tx, tenantId, [...new Set(owner.values())], settings, profiles);
  return { owner, blocked, notSame, profiles };
}

/**
 * The advisory locks of a batch cover the identity values it mentions, not the other identities of the profiles
 * those lead to: another batch can reach the same profile through another identity (a page view by its anonymous
 * id, a lead by its phone) and must not plan from the same state. So the owners are row-locked (in id order)
 * before their state is read, and the owners are looked up again under those locks: a batch that held one of
 * them may have merged it away or moved identities (an unmerge) before this one got the lock. Repeated until
 * the owners stay the same; locks taken in a second round can deadlock, which PostgreSQL breaks by failing one
 * batch, and a failed batch is retried.
 */
async function lockOwners<T extends { profile_id: string }>(
  tx: Tx,
  tenantId: string,
  found: T[],
  lookUp: () => Promise<T[]>,
): Promise<T[]> {
  const locked = new Set<string>();
  for (;;) {
    const owners = [...new Set(found.map((r) => r.profile_id))].filter((id) => !locked.has(id)).sort();
    if (owners.length === 0) return found;
    await tx.execute(
      sql`select 1 from profiles where tenant_id = ${tenantId}::uuid and id = any(${pgTextArray(owners)}::uuid[]) order by id for update`,
    );
    for (const id of owners) locked.add(id);
    found = await lookUp();
  }
}

/** Adds profiles (with their identities of the types limited per profile) to `into`. */
export async function loadProfiles(
  tx: Tx,
  tenantId: string,
  ids: string[],
  settings: CdpSettings,
  into: Map<string, ProfileState>,
): Promise<void> {
  const missing = ids.filter((id) => !into.has(id));
  if (missing.length === 0) return;
  const idsJson = JSON.stringify(missing);
  const rows = await rowsOf<ProfileRow>(
    tx,
    sql`select id, name, traits, trait_sources, tags, lifecycle_stage, owner_org_unit_id, owner_user_id, city, first_seen_at, last_seen_at
        from profiles where tenant_id = ${tenantId}::uuid and id in (select jsonb_array_elements_text(${idsJson}::jsonb)::uuid)`,
  );
  const limitedTypes = Object.entries(settings.identityTypes)
    .filter(([, v]) => v.maxPerProfile !== null)
    .map(([k]) => k);
  const limited = await rowsOf<{ profile_id: string; type: IdentityType; key: string; source_id: string | null }>(
    tx,
    sql`select profile_id, type, key, source_id from identities
        where tenant_id = ${tenantId}::uuid and profile_id in (select jsonb_array_elements_text(${idsJson}::jsonb)::uuid)
          and type in (select jsonb_array_elements_text(${JSON.stringify(limitedTypes)}::jsonb))`,
  );
  for (const r of rows) {
    into.set(r.id, {
      id: r.id,
      isNew: false,
      name: r.name,
      traits: r.traits ?? {},
      traitSources: unpackTraitSources(r.traits ?? {}, r.trait_sources),
      tags: r.tags ?? [],
      lifecycleStage: r.lifecycle_stage,
      ownerOrgUnitId: r.owner_org_unit_id,
      ownerUserId: r.owner_user_id,
      city: r.city,
      firstSeenAt: iso(r.first_seen_at),
      lastSeenAt: iso(r.last_seen_at),
      limited: new Map(),
      touched: false,
    });
  }
  for (const l of limited) {
    const p = into.get(l.profile_id);
    if (!p) continue;
    const group = limitGroup(l.type, l.source_id);
    const set = p.limited.get(group) ?? new Set<string>();
    set.add(l.key);
    p.limited.set(group, set);
  }
}
