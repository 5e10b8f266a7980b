import { sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { appendActivity, type EventRow } from '../customers/append-activity.js';

/*
 * What working a lead does to the customer's profile: timeline events, and on delivery the owner stage
 * and the vehicle. The one place the lifecycle code touches customer data.
 */

/** A timeline entry of a lead: type `lead`, `name` says what happened; properties carry ids and codes, never contacts or notes. */
export interface LeadEvent {
  profileId: string;
  /** Unique per fact, e.g. `lead-activity:<id>`. */
  messageId: string;
  name: string;
  at: Date;
  properties: Record<string, unknown>;
}

/** The surviving profile of a possibly merged-away one (a lead keeps the id it was created with until it is moved). */
export async function liveProfileIds(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const out = new Map(unique.map((id) => [id, id]));
  if (unique.length === 0) return out;
  const rows = await rowsOf<{ start: string; live: string }>(
    tx,
    sql`with recursive chain(start, id, merged_into, depth) as (
          select p.id, p.id, p.merged_into, 0 from profiles p
          where p.tenant_id = ${tenantId}::uuid and p.id = any(array(select jsonb_array_elements_text(${JSON.stringify(unique)}::jsonb))::uuid[])
          union all
          select c.start, p.id, p.merged_into, c.depth + 1 from chain c
          join profiles p on p.tenant_id = ${tenantId}::uuid and p.id = c.merged_into
          where c.depth < 10)
        select start, id as live from chain where merged_into is null`,
  );
  for (const r of rows) out.set(r.start, r.live);
  return out;
}

export async function appendLeadEvents(tx: Tx, tenantId: string, events: LeadEvent[]): Promise<void> {
  if (events.length === 0) return;
  const live = await liveProfileIds(
    tx,
    tenantId,
    events.map((e) => e.profileId),
  );
  const now = new Date().toISOString();
  const rows: EventRow[] = events.map((e) => {
    const profileId = live.get(e.profileId) ?? e.profileId;
    return {
      id: uuidv7(),
      timestamp: e.at.toISOString(),
      profile_id: profileId,
      origin_profile_id: profileId,
      source_id: null,
      message_id: e.messageId,
      type: 'lead',
      name: e.name,
      original_timestamp: null,
      received_at: now,
      properties: e.properties,
      context: {},
    };
  });
  await appendActivity(tx, tenantId, { events: rows, consents: [], vehicles: [], units: [], unitReason: 'lead' });
}

/** The customer took delivery: lifecycle stage `owner` and the VIN linked to the profile (an owner link, never a merge key). */
export async function markCustomerOwner(tx: Tx, tenantId: string, profileId: string, vin: string, at: Date): Promise<void> {
  const live = (await liveProfileIds(tx, tenantId, [profileId])).get(profileId) ?? profileId;
  await tx.execute(sql`
    update profiles set lifecycle_stage = 'owner', updated_at = now(), version = version + 1
    where tenant_id = ${tenantId}::uuid and id = ${live}::uuid`);
  await appendActivity(tx, tenantId, {
    events: [],
    consents: [],
    vehicles: [{ profile_id: live, vin, source_id: null, at: at.toISOString() }],
    units: [],
    unitReason: 'lead',
  });
}
