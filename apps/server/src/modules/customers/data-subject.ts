import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { decrypt } from '../../platform/crypto.js';
import { pgTextArray, rowsOf } from '../../platform/db.js';
import { auditAction } from '../audit/record-audit.js';
import { extractIdentities } from '../identity/extract-identities.js';
import { toIdentityValue } from '../identity/identity-values.js';
import { openMessages, sealMessages } from '../ingest/inbound-payload.js';
import type { InboundMessage } from '../ingest/segment.js';
import { getProfileRow } from './queries.js';

/** Every profile id that is this person: the profile and all profiles merged into it. */
async function personProfileIds(ctx: UseCaseContext, id: string): Promise<string[]> {
  const rows = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`with recursive person(id) as (
          select ${id}::uuid
          union select p.id from profiles p join person on p.merged_into = person.id where p.tenant_id = ${ctx.auth.tenantId}::uuid
        ) select id from person`,
  );
  return rows.map((r) => r.id);
}

/** Everything Forecourt holds about a person, decrypted, as one JSON document (PIPL access request). */
export async function exportPerson(ctx: UseCaseContext, id: string) {
  const p = await getProfileRow(ctx, id);
  const ids = JSON.stringify(await personProfileIds(ctx, p.id));
  const t = ctx.auth.tenantId;
  const inPerson = sql`in (select jsonb_array_elements_text(${ids}::jsonb)::uuid)`;
  const [profiles, identities, events, consents, vehicles, merges, leads, leadActivities, orders] = await Promise.all([
    rowsOf(
      ctx.tx,
      sql`select id, merged_into, name, traits, tags, lifecycle_stage, city, first_seen_at, last_seen_at, created_at from profiles where tenant_id = ${t}::uuid and id ${inPerson}`,
    ),
    rowsOf<{ type: string; value_enc: string; first_seen_at: unknown; last_seen_at: unknown; source_id: string | null }>(
      ctx.tx,
      sql`select type, value_enc, first_seen_at, last_seen_at, source_id from identities where tenant_id = ${t}::uuid and profile_id ${inPerson}`,
    ),
    rowsOf(
      ctx.tx,
      sql`select id, timestamp, type, name, source_id, properties, context from events where tenant_id = ${t}::uuid and (profile_id ${inPerson} or origin_profile_id ${inPerson}) order by timestamp`,
    ),
    rowsOf(
      ctx.tx,
      sql`select purpose, channel, granted, at, source_id, evidence from consents where tenant_id = ${t}::uuid and profile_id ${inPerson} order by at`,
    ),
    rowsOf(ctx.tx, sql`select vin, since from profile_vehicles where tenant_id = ${t}::uuid and profile_id ${inPerson}`),
    rowsOf(
      ctx.tx,
      sql`select id, survivor_id, absorbed_id, at, reason, unmerged_at from merges where tenant_id = ${t}::uuid and (survivor_id ${inPerson} or absorbed_id ${inPerson})`,
    ),
    rowsOf(
      ctx.tx,
      sql`select id, source_id, intake, campaign, store_id, owner_user_id, customer_name, brand, series, model, budget_min_fen, budget_max_fen,
                 timeframe, trade_in, financing, province, city, comments, stage, lost_reason, created_at from leads
          where tenant_id = ${t}::uuid and profile_id ${inPerson} order by created_at`,
    ),
    rowsOf(
      ctx.tx,
      sql`select lead_id, type, outcome, duration_sec, scheduled_at, status, note, details, at from lead_activities
          where tenant_id = ${t}::uuid and profile_id ${inPerson} order by at`,
    ),
    rowsOf(
      ctx.tx,
      sql`select lead_id, kind, status, amount_fen, paid_at, model, trim, colour, price_fen, discount_fen, extras, vin, delivered_at from orders
          where tenant_id = ${t}::uuid and profile_id ${inPerson} order by created_at`,
    ),
  ]);
  await auditAction(ctx, {
    action: 'customer.exported_personal_data',
    targetType: 'customer',
    targetId: p.id,
    details: { events: events.length },
  });
  return {
    exportedAt: new Date().toISOString(),
    profiles,
    // National ID numbers are stored only as a keyed hash: there is no value to give back.
    identities: identities.map((i) => ({
      type: i.type,
      value: i.type === 'national_id' ? '(stored only as a keyed hash)' : decrypt(ctx.keys, i.value_enc),
      firstSeenAt: i.first_seen_at,
      lastSeenAt: i.last_seen_at,
      sourceId: i.source_id,
    })),
    events,
    consents,
    vehicles,
    merges,
    leads,
    leadActivities,
    orders,
  };
}

/**
 * Erase a person completely: profiles (with those merged into it), identities, events, consents,
 * vehicles, merge records and snapshots, duplicate pairs, message ids, and messages of theirs still
 * waiting in the inbound log. The audit entry holds counts and the profile id only.
 */
export async function erasePerson(ctx: UseCaseContext, id: string): Promise<{ erased: Record<string, number> }> {
  const p = await getProfileRow(ctx, id);
  const t = ctx.auth.tenantId;
  const profileIds = await personProfileIds(ctx, p.id);
  const ids = JSON.stringify(profileIds);
  const inPerson = sql`in (select jsonb_array_elements_text(${ids}::jsonb)::uuid)`;
  const keys = await rowsOf<{ type: string; key: string }>(
    ctx.tx,
    sql`select type, key from identities where tenant_id = ${t}::uuid and profile_id ${inPerson}`,
  );
  const keySet = new Set(keys.map((k) => `${k.type}|${k.key}`));

  // Messages of this person not processed yet: decrypt the tenant's backlog and match identities.
  // A log row holds a whole request, so a row shared with other people is sealed again without this person's messages.
  const pending = await rowsOf<{ seq: string | number; source_id: string; payload_enc: string }>(
    ctx.tx,
    sql`select seq, source_id, payload_enc from inbound_log where tenant_id = ${t}::uuid for update`,
  );
  const isThisPerson = (m: InboundMessage, sourceId: string) =>
    extractIdentities({
      userId: m.userId,
      anonymousId: m.anonymousId,
      previousId: m.previousId,
      traits: m.traits,
      sourceId,
    }).identities.some((i) => {
      const v = toIdentityValue(ctx.keys, i.type, i.value, i.scope);
      return keySet.has(`${v.type}|${v.key}`);
    });
  const pendingSeqs: number[] = [];
  let pendingMessages = 0;
  for (const row of pending) {
    const messages = openMessages(ctx.keys, row.payload_enc);
    const others = messages.filter((m) => !isThisPerson(m, row.source_id));
    if (others.length === messages.length) continue;
    pendingMessages += messages.length - others.length;
    if (others.length === 0) pendingSeqs.push(Number(row.seq));
    else
      await ctx.tx
        .execute(sql`update inbound_log set payload_enc = ${sealMessages(ctx.keys, others)}, message_count = ${others.length}, message_id = ${others[0]!.messageId}
                               where tenant_id = ${t}::uuid and seq = ${Number(row.seq)}`);
  }

  const count = async (query: ReturnType<typeof sql>) => (await rowsOf<{ n: number | string }>(ctx.tx, query))[0]?.n ?? 0;
  const erased: Record<string, number> = {};
  erased.messageIds = Number(
    await count(sql`with d as (delete from message_ids where tenant_id = ${t}::uuid and message_id in
      (select message_id from events where tenant_id = ${t}::uuid and (profile_id ${inPerson} or origin_profile_id ${inPerson})) returning 1) select count(*) as n from d`),
  );
  erased.events = Number(
    await count(
      sql`with d as (delete from events where tenant_id = ${t}::uuid and (profile_id ${inPerson} or origin_profile_id ${inPerson}) returning 1) select count(*) as n from d`,
    ),
  );
  await ctx.tx.execute(
    sql`delete from inbound_log where tenant_id = ${t}::uuid and seq = any(${pgTextArray(pendingSeqs.map(String))}::bigint[])`,
  );
  erased.pendingMessages = pendingMessages;
  erased.identities = Number(
    await count(
      sql`with d as (delete from identities where tenant_id = ${t}::uuid and profile_id ${inPerson} returning 1) select count(*) as n from d`,
    ),
  );
  erased.consents = Number(
    await count(
      sql`with d as (delete from consents where tenant_id = ${t}::uuid and profile_id ${inPerson} returning 1) select count(*) as n from d`,
    ),
  );
  // The person's sales pipeline: leads with everything hanging off them (notes and raw payloads hold personal data).
  const personLeads = sql`(select id from leads where tenant_id = ${t}::uuid and (profile_id ${inPerson} or origin_profile_id ${inPerson}))`;
  // Notifications name the customer in their titles (新线索：王女士); each one names a single lead and links to it.
  erased.notifications = Number(
    await count(
      sql`with d as (delete from notifications where tenant_id = ${t}::uuid and link in (select '/leads/' || id::text from ${personLeads} l)
                     returning 1) select count(*) as n from d`,
    ),
  );
  for (const table of ['lead_inquiries', 'lead_stage_changes', 'lead_activities', 'lead_assignments', 'lost_requests', 'orders', 'tasks'])
    await ctx.tx.execute(sql`delete from ${sql.raw(table)} where tenant_id = ${t}::uuid and lead_id in ${personLeads}`);
  await ctx.tx.execute(sql`delete from tasks where tenant_id = ${t}::uuid and profile_id ${inPerson}`);
  erased.leads = Number(
    await count(
      sql`with d as (delete from leads where tenant_id = ${t}::uuid and (profile_id ${inPerson} or origin_profile_id ${inPerson}) returning 1) select count(*) as n from d`,
    ),
  );
  await ctx.tx.execute(sql`delete from profile_vehicles where tenant_id = ${t}::uuid and profile_id ${inPerson}`);
  await ctx.tx.execute(sql`delete from profile_units where tenant_id = ${t}::uuid and profile_id ${inPerson}`);
  await ctx.tx.execute(sql`delete from profile_blocking_keys where tenant_id = ${t}::uuid and profile_id ${inPerson}`);
  await ctx.tx.execute(sql`delete from duplicate_pairs where tenant_id = ${t}::uuid and (profile_a ${inPerson} or profile_b ${inPerson})`);
  await ctx.tx.execute(sql`delete from merges where tenant_id = ${t}::uuid and (survivor_id ${inPerson} or absorbed_id ${inPerson})`);
  await ctx.tx.execute(
    sql`update identity_reviews set profile_ids = array(select x from unnest(profile_ids) x where x not ${inPerson}) where tenant_id = ${t}::uuid and profile_ids && array(select jsonb_array_elements_text(${ids}::jsonb)::uuid)`,
  );
  erased.profiles = Number(
    await count(
      sql`with d as (delete from profiles where tenant_id = ${t}::uuid and id ${inPerson} returning 1) select count(*) as n from d`,
    ),
  );
  await auditAction(ctx, { action: 'customer.erased', targetType: 'customer', targetId: p.id, details: erased });
  return { erased };
}
