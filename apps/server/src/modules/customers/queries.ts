import type { Customer, CustomerListItem, CustomerQuery, TimelineEntry } from '@forecourt/contracts';
import { sql, type SQL } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { identityKey, normalizeIdentity } from '../identity/identity-values.js';
import { loadSettings } from '../identity/settings.js';
import { unpackTraitSources, type StoredTraitSources } from '../identity/traits.js';
import { profileInScope } from './scope.js';

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

/** What a search box entry means: a phone, the last 4 digits, an e-mail, a VIN, a WeChat id, or a name. */
function searchCondition(ctx: UseCaseContext, q: string): SQL {
  const t = ctx.auth.tenantId;
  const byIdentity = (type: 'phone' | 'email' | 'wechat_unionid' | 'wecom_external_userid', value: string) =>
    sql`exists (select 1 from identities i where i.tenant_id = ${t}::uuid and i.profile_id = p.id and i.type = ${type} and i.key = ${identityKey(ctx.keys, type, value)})`;
  const compact = q.replace(/[\s-]/g, '');
  if (/^\d{4}$/.test(compact))
    return sql`exists (select 1 from identities i where i.tenant_id = ${t}::uuid and i.profile_id = p.id and i.type = 'phone' and i.last4 = ${compact})`;
  const phone = normalizeIdentity('phone', q);
  if (/^[+\d][\d\s()+-]{6,}$/.test(q) && phone.ok) return byIdentity('phone', phone.value);
  if (q.includes('@')) {
    const email = normalizeIdentity('email', q);
    return email.ok ? byIdentity('email', email.value) : sql`false`;
  }
  if (/^[A-HJ-NPR-Z0-9]{17}$/i.test(compact))
    return sql`exists (select 1 from profile_vehicles v where v.tenant_id = ${t}::uuid and v.profile_id = p.id and v.vin = ${compact.toUpperCase()})`;
  const lower = q.toLowerCase().replace(/\s+/g, '');
  const byName = sql`(p.name like ${q.replace(/[%_]/g, '') + '%'} or p.name_pinyin like ${lower.replace(/[%_]/g, '') + '%'} or p.name_initials = ${lower})`;
  // WeChat ids have no fixed shape: try them as unionid / external userid too.
  if (/^[\w-]{16,64}$/.test(q)) return sql`(${byName} or ${byIdentity('wechat_unionid', q)} or ${byIdentity('wecom_external_userid', q)})`;
  return byName;
}

export async function listCustomers(
  ctx: UseCaseContext,
  query: CustomerQuery,
): Promise<{ items: CustomerListItem[]; nextCursor: string | null }> {
  const settings = await loadSettings(ctx.tx, ctx.auth.tenantId);
  const conditions: SQL[] = [sql`p.tenant_id = ${ctx.auth.tenantId}::uuid`, sql`p.merged_into is null`, profileInScope(ctx.auth, settings)];
  if (query.q) conditions.push(searchCondition(ctx, query.q));
  if (query.tag) conditions.push(sql`${query.tag} = any(p.tags)`);
  if (query.stage) conditions.push(sql`p.lifecycle_stage = ${query.stage}`);
  if (query.city) conditions.push(sql`p.city = ${query.city}`);
  if (query.store)
    conditions.push(sql`exists (select 1 from org_units o where o.tenant_id = p.tenant_id and o.id = ${query.store}::uuid and (
      exists (select 1 from profile_units u where u.tenant_id = p.tenant_id and u.profile_id = p.id and u.path like o.path || '%')
      or exists (select 1 from org_units w where w.tenant_id = p.tenant_id and w.id = p.owner_org_unit_id and w.path like o.path || '%')))`);
  if (query.seenWithinDays) conditions.push(sql`p.last_seen_at >= now() - make_interval(days => ${query.seenWithinDays}::int)`);
  const cursor = decodeCursor(query.cursor, 2);
  if (cursor) conditions.push(sql`(p.updated_at, p.id) < (${String(cursor[0])}::timestamptz, ${String(cursor[1])}::uuid)`);
  // The cursor keeps updated_at at full (microsecond) precision, as text.
  const rows = await rowsOf<{
    id: string;
    name: string | null;
    city: string | null;
    tags: string[];
    lifecycle_stage: string;
    last_seen_at: Date | string;
    updated_at: Date | string;
    ukey: string;
    phone: string | null;
  }>(
    ctx.tx,
    sql`select p.id, p.name, p.city, p.tags, p.lifecycle_stage, p.last_seen_at, p.updated_at, p.updated_at::text as ukey,
               (select i.masked from identities i where i.tenant_id = p.tenant_id and i.profile_id = p.id and i.type = 'phone'
                order by i.last_seen_at desc limit 1) as phone
        from profiles p where ${sql.join(conditions, sql` and `)}
        order by p.updated_at desc, p.id desc limit ${query.limit + 1}`,
  );
  const keyOf = new Map(rows.map((r) => [r.id, r.ukey]));
  const items = rows.map((r) => ({
    id: r.id,
    name: r.name,
    phoneMasked: r.phone,
    city: r.city,
    tags: r.tags,
    lifecycleStage: r.lifecycle_stage,
    lastSeenAt: iso(r.last_seen_at)!,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
  return pageFrom(items, query.limit, (i) => [keyOf.get(i.id)!, i.id]);
}

/** A profile in the caller's scope, following a merge to its survivor; 404 when out of scope. */
export async function getProfileRow(ctx: UseCaseContext, id: string) {
  const settings = await loadSettings(ctx.tx, ctx.auth.tenantId);
  let current = id;
  for (let hop = 0; hop < 10; hop++) {
    const [row] = await rowsOf<{
      id: string;
      merged_into: string | null;
      name: string | null;
      traits: Record<string, unknown>;
      trait_sources: StoredTraitSources;
      tags: string[];
      lifecycle_stage: string;
      owner_org_unit_id: string | null;
      owner_user_id: string | null;
      city: string | null;
      first_seen_at: Date | string;
      last_seen_at: Date | string;
      version: number;
    }>(
      ctx.tx,
      sql`select p.* from profiles p where p.tenant_id = ${ctx.auth.tenantId}::uuid and p.id = ${current}::uuid and ${profileInScope(ctx.auth, settings)}`,
    );
    if (!row) break;
    if (!row.merged_into) return row;
    current = row.merged_into;
  }
  throw notFound('Customer');
}

export async function getCustomer(ctx: UseCaseContext, id: string): Promise<Customer> {
  const p = await getProfileRow(ctx, id);
  const t = ctx.auth.tenantId;
  const [identities, vehicles, consents, merges, names] = await Promise.all([
    rowsOf<{ type: string; masked: string; source_id: string | null; first_seen_at: Date | string; last_seen_at: Date | string }>(
      ctx.tx,
      sql`select type, masked, source_id, first_seen_at, last_seen_at from identities where tenant_id = ${t}::uuid and profile_id = ${p.id}::uuid
          order by case type when 'phone' then 1 when 'wechat_unionid' then 2 when 'wecom_external_userid' then 3 when 'wechat_openid' then 4
          when 'email' then 5 when 'national_id' then 6 when 'user_id' then 7 else 9 end, last_seen_at desc limit 200`,
    ),
    rowsOf<{ vin: string; since: Date | string }>(
      ctx.tx,
      sql`select vin, since from profile_vehicles where tenant_id = ${t}::uuid and profile_id = ${p.id}::uuid order by since`,
    ),
    rowsOf<{
      purpose: string;
      channel: string;
      granted: boolean;
      at: Date | string;
      source_id: string | null;
      evidence: Record<string, unknown>;
    }>(
      ctx.tx,
      sql`select distinct on (purpose, channel) purpose, channel, granted, at, source_id, evidence from consents
          where tenant_id = ${t}::uuid and profile_id = ${p.id}::uuid order by purpose, channel, at desc, created_at desc`,
    ),
    rowsOf<{
      id: string;
      survivor_id: string;
      absorbed_id: string;
      at: Date | string;
      reason: string;
      unmerged_at: Date | string | null;
      absorbed_name: string | null;
    }>(
      ctx.tx,
      sql`select m.id, m.survivor_id, m.absorbed_id, m.at, m.reason, m.unmerged_at, m.snapshot->'absorbed'->>'name' as absorbed_name
          from merges m where m.tenant_id = ${t}::uuid and (m.survivor_id = ${p.id}::uuid or m.absorbed_id = ${p.id}::uuid) order by m.at desc`,
    ),
    rowsOf<{ kind: string; id: string; name: string }>(
      ctx.tx,
      sql`select 'source' as kind, id, name from sources where tenant_id = ${t}::uuid
          union all select 'unit', id, name_zh from org_units where tenant_id = ${t}::uuid and id = ${p.owner_org_unit_id}::uuid
          union all select 'user', id, display_name from users where tenant_id = ${t}::uuid and id = ${p.owner_user_id}::uuid`,
    ),
  ]);
  const nameOf = (kind: string, id: string | null) => (id ? (names.find((n) => n.kind === kind && n.id === id)?.name ?? null) : null);
  const sources = unpackTraitSources(p.traits, p.trait_sources);
  return {
    id: p.id,
    name: p.name,
    lifecycleStage: p.lifecycle_stage,
    tags: p.tags,
    city: p.city,
    ownerOrgUnitId: p.owner_org_unit_id,
    ownerOrgUnitName: nameOf('unit', p.owner_org_unit_id),
    ownerUserId: p.owner_user_id,
    ownerUserName: nameOf('user', p.owner_user_id),
    firstSeenAt: iso(p.first_seen_at)!,
    lastSeenAt: iso(p.last_seen_at)!,
    identities: identities.map((i) => ({
      type: i.type,
      masked: i.masked,
      sourceId: i.source_id,
      firstSeenAt: iso(i.first_seen_at)!,
      lastSeenAt: iso(i.last_seen_at)!,
    })),
    traits: Object.entries(p.traits)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => {
        const meta = sources[key];
        return { key, value, sourceId: meta?.sourceId ?? null, sourceName: nameOf('source', meta?.sourceId ?? null), at: meta?.at ?? null };
      }),
    vehicles: vehicles.map((v) => ({ vin: v.vin, since: iso(v.since)! })),
    consents: consents.map((c) => ({
      purpose: c.purpose as never,
      channel: c.channel as never,
      granted: c.granted,
      at: iso(c.at)!,
      sourceId: c.source_id,
      evidence: c.evidence,
    })),
    merges: merges.map((m) => ({
      id: m.id,
      survivorId: m.survivor_id,
      absorbedId: m.absorbed_id,
      absorbedName: m.absorbed_name,
      at: iso(m.at)!,
      reason: m.reason,
      unmergedAt: iso(m.unmerged_at),
    })),
    version: p.version,
  };
}

export async function getTimeline(
  ctx: UseCaseContext,
  id: string,
  query: { limit: number; cursor?: string; type?: string; sourceId?: string },
): Promise<{ items: TimelineEntry[]; nextCursor: string | null }> {
  const p = await getProfileRow(ctx, id);
  const conditions: SQL[] = [sql`e.tenant_id = ${ctx.auth.tenantId}::uuid`, sql`e.profile_id = ${p.id}::uuid`];
  if (query.type) conditions.push(sql`e.type = ${query.type}`);
  if (query.sourceId) conditions.push(sql`e.source_id = ${query.sourceId}::uuid`);
  const cursor = decodeCursor(query.cursor, 2);
  if (cursor) conditions.push(sql`(e.timestamp, e.id) < (${String(cursor[0])}::timestamptz, ${String(cursor[1])}::uuid)`);
  const rows = await rowsOf<{
    id: string;
    timestamp: Date | string;
    type: string;
    name: string | null;
    source_id: string | null;
    source_name: string | null;
    properties: Record<string, unknown>;
  }>(
    ctx.tx,
    sql`select e.id, e.timestamp, e.type, e.name, e.source_id, s.name as source_name, e.properties
        from events e left join sources s on s.tenant_id = e.tenant_id and s.id = e.source_id
        where ${sql.join(conditions, sql` and `)} order by e.timestamp desc, e.id desc limit ${query.limit + 1}`,
  );
  const items = rows.map((r) => ({
    id: r.id,
    at: iso(r.timestamp)!,
    type: r.type,
    name: r.name,
    sourceId: r.source_id,
    sourceName: r.source_name,
    properties: r.properties,
  }));
  return pageFrom(items, query.limit, (i) => [i.at, i.id]);
}
