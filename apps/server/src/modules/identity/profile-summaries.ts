import type { ProfileSummary } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { rowsOf, type Executor } from '../../platform/db.js';
import { VEHICLE_TRAIT } from './duplicates/load-candidates.js';
import { anyUuid } from './duplicates/sql-lists.js';

const iso = (v: Date | string) => new Date(v).toISOString();

/**
 * What a reviewer compares, masked: name, the latest phone and e-mail as masked at rest, city, vehicle of
 * interest, the first store the profile is linked to, and when it was first and last seen.
 */
export async function profileSummaries(tx: Executor, tenantId: string, ids: string[]): Promise<Map<string, ProfileSummary>> {
  const out = new Map<string, ProfileSummary>();
  if (ids.length === 0) return out;
  const rows = await rowsOf<{
    id: string;
    name: string | null;
    city: string | null;
    vehicle: string | null;
    first_seen_at: Date | string;
    last_seen_at: Date | string;
    phone: string | null;
    email: string | null;
    store: string | null;
  }>(
    tx,
    sql`select p.id, p.name, p.city, p.traits->>${VEHICLE_TRAIT} as vehicle, p.first_seen_at, p.last_seen_at,
          (select i.masked from identities i where i.tenant_id = p.tenant_id and i.profile_id = p.id and i.type = 'phone'
           order by i.last_seen_at desc limit 1) as phone,
          (select i.masked from identities i where i.tenant_id = p.tenant_id and i.profile_id = p.id and i.type = 'email'
           order by i.last_seen_at desc limit 1) as email,
          (select s.name_zh from profile_units pu
           join org_units s on s.tenant_id = pu.tenant_id and s.type = 'store' and pu.path like s.path || '%'
           where pu.tenant_id = p.tenant_id and pu.profile_id = p.id order by pu.created_at limit 1) as store
        from profiles p
        where p.tenant_id = ${tenantId}::uuid and p.id = ${anyUuid(ids)}`,
  );
  for (const r of rows) {
    out.set(r.id, {
      id: r.id,
      name: r.name,
      phoneMasked: r.phone,
      emailMasked: r.email,
      city: r.city,
      vehicleOfInterest: r.vehicle,
      storeName: r.store,
      firstSeenAt: iso(r.first_seen_at),
      lastSeenAt: iso(r.last_seen_at),
    });
  }
  return out;
}

/** The profile each id lives on now: a merged-away profile maps to its survivor (followed up to 10 hops); erased ids are left out. */
export async function currentProfiles(tx: Executor, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  const out = new Map(ids.map((id) => [id, id]));
  for (let hop = 0; hop < 10; hop++) {
    const pending = [...new Set(out.values())];
    if (pending.length === 0) break;
    const rows = await rowsOf<{ id: string; merged_into: string | null }>(
      tx,
      sql`select id, merged_into from profiles where tenant_id = ${tenantId}::uuid and id = ${anyUuid(pending)}`,
    );
    const next = new Map(rows.map((r) => [r.id, r.merged_into]));
    for (const [id, now] of out) {
      if (!next.has(now)) out.delete(id);
      else if (next.get(now)) out.set(id, next.get(now)!);
    }
    if (rows.every((r) => r.merged_into === null)) break;
  }
  return out;
}

/** The live profiles the given ids stand for now, without repeats. */
export async function currentProfileIds(tx: Executor, tenantId: string, ids: string[]): Promise<string[]> {
  return [...new Set((await currentProfiles(tx, tenantId, ids)).values())];
}
