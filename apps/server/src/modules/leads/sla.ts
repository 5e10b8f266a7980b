import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, withTenant, type Database, type Tx } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { defineJob } from '../../platform/jobs.js';
import { enqueueWebhookEvent } from '../notifications/enqueue-webhook-event.js';
import { notify, type NoteInput } from '../notifications/notify.js';
import { giveLeadTo } from './assign-lead.js';
import { addBusinessMinutes } from './business-hours.js';
import { pickByTurn, type StoreRow } from './route-lead.js';
import { loadLeadSettings } from './settings.js';

/*
 * The first-contact SLA: a deadline in the store's business hours, a reminder before it, a breach
 * after it, and "met" when a person makes the first outbound contact attempt (H3's activity log
 * calls markFirstContact).
 */

/** The first-contact deadline: `minutes` of the store's opening hours after arrival (always open without a store). */
export function firstContactDue(
  at: Date,
  minutes: number,
  store: Pick<StoreRow, 'businessHours' | 'timeZone'> | null,
  tenantTimeZone: string,
): Date {
  if (!store) return addBusinessMinutes(at, minutes, [], tenantTimeZone);
  return addBusinessMinutes(at, minutes, store.businessHours, store.timeZone);
}

/** The owner's first_contact task, due at the deadline (owner may be null: claim pool or nobody on duty). */
export async function createFirstContactTask(
  tx: Tx,
  tenantId: string,
  lead: {
    id: string;
    profileId: string;
    storeId: string | null;
    storePath: string | null;
    ownerUserId: string | null;
    createdBy: string | null;
  },
  dueAt: Date,
): Promise<void> {
  await tx.execute(sql`insert into tasks (tenant_id, id, lead_id, profile_id, store_id, store_path, owner_user_id, type, title, rule, due_at, created_by)
    values (${tenantId}::uuid, ${uuidv7()}::uuid, ${lead.id}::uuid, ${lead.profileId}::uuid, ${lead.storeId}::uuid, ${lead.storePath},
            ${lead.ownerUserId}::uuid, 'first_contact', '首次联系 First contact', 'first_contact_sla', ${dueAt.toISOString()}::timestamptz,
            ${lead.createdBy}::uuid)`);
}

/**
 * The first outbound contact attempt by a person on a lead: the SLA is met if it came by the deadline,
 * else the lead stays (or becomes) breached, with the deadline as its breach time; the first_contact
 * task is done. Later attempts change nothing. Answers whether this was the first contact.
 */
export async function markFirstContact(tx: Tx, tenantId: string, leadId: string, at: Date): Promise<boolean> {
  const when = at.toISOString();
  const updated = await rowsOf<{ id: string }>(
    tx,
    sql`update leads set first_contact_at = ${when}::timestamptz,
               sla_state = case when sla_state = 'breached' then 'breached'
                                when first_contact_due_at is null or ${when}::timestamptz <= first_contact_due_at then 'met'
                                else 'breached' end,
               sla_breached_at = case when sla_breached_at is null and first_contact_due_at < ${when}::timestamptz
                                      then first_contact_due_at else sla_breached_at end,
               updated_at = now()
        where tenant_id = ${tenantId}::uuid and id = ${leadId}::uuid and first_contact_at is null
        returning id`,
  );
  if (updated.length === 0) return false;
  await tx.execute(sql`update tasks set status = 'done', done_at = ${when}::timestamptz, version = version + 1
    where tenant_id = ${tenantId}::uuid and lead_id = ${leadId}::uuid and type = 'first_contact' and status = 'open'`);
  return true;
}

export interface SweepResult {
  reminded: number;
  breached: number;
  reassigned: number;
}

/** A lead closed (or gone dormant) before anyone called has nobody left to remind. */
const CLOSED = sql.raw(`('lost', 'delivered', 'dormant')`);

/** Leads reassigned on breach per sweep at most; the rest wait for the next sweep. */
const REASSIGN_PER_SWEEP = 200;

/** HH:mm in a time zone; one formatter per zone (making one per lead cost 5 s in a sweep of 50,000 reminders). */
const clocks = new Map<string, Intl.DateTimeFormat>();
function hhmm(at: Date | string, timeZone: string): string {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clocks.set(timeZone, clock);
  }
  return clock.format(new Date(at));
}

/**
 * One tenant's sweep, set-based: one statement marks the reminders due, one marks the breaches, one
 * finds the store managers, one notifies everybody. A sweep over 100,000 pending leads reads only the
 * partial index of pending deadlines. Reassignment on breach (optional) goes lead by lead, capped.
 */
export async function sweepTenantSla(tx: Tx, tenantId: string, now = new Date()): Promise<SweepResult> {
  const settings = await loadLeadSettings(tx, tenantId);
  const [tenant] = await rowsOf<{ time_zone: string }>(tx, sql`select time_zone from tenants where id = ${tenantId}::uuid`);
  const tz = tenant?.time_zone ?? 'Asia/Shanghai';
  const at = now.toISOString();
  const notes: NoteInput[] = [];

  let reminded = 0;
  if (settings.reminderMinutesBefore > 0) {
    const due = await rowsOf<{ id: string; owner_user_id: string; customer_name: string | null; first_contact_due_at: Date | string }>(
      tx,
      sql`update leads set sla_reminded_at = ${at}::timestamptz
          where tenant_id = ${tenantId}::uuid and sla_state = 'pending' and sla_reminded_at is null and first_contact_at is null
            and owner_user_id is not null and stage not in ${CLOSED}
            and first_contact_due_at > ${at}::timestamptz
            and first_contact_due_at <= ${at}::timestamptz + make_interval(mins => ${settings.reminderMinutesBefore}::int)
          returning id, owner_user_id, customer_name, first_contact_due_at`,
    );
    reminded = due.length;
    for (const d of due)
      notes.push({
        userId: d.owner_user_id,
        kind: 'lead.sla_reminder',
        title: `请尽快联系 Contact soon: ${d.customer_name ?? '客户'}`,
        body: `首次联系截止 ${hhmm(d.first_contact_due_at, tz)} · first contact due ${hhmm(d.first_contact_due_at, tz)}`,
        link: `/leads/${d.id}`,
      });
  }

  const breached = await rowsOf<{
    id: string;
    owner_user_id: string | null;
    store_id: string | null;
    customer_name: string | null;
    routing_rule_id: string | null;
  }>(
    tx,
    sql`update leads set sla_state = 'breached', sla_breached_at = ${at}::timestamptz, updated_at = now()
        where tenant_id = ${tenantId}::uuid and sla_state = 'pending' and first_contact_at is null and stage not in ${CLOSED}
          and first_contact_due_at <= ${at}::timestamptz
        returning id, owner_user_id, store_id, customer_name, routing_rule_id`,
  );
  if (breached.length > 0) {
    const storeIds = [...new Set(breached.map((b) => b.store_id).filter((s): s is string => s !== null))];
    const managers =
      storeIds.length === 0
        ? []
        : await rowsOf<{ id: string; store_id: string }>(
            tx,
            sql`select u.id, s.id as store_id from org_units s
                join org_units o on o.tenant_id = s.tenant_id and o.path like s.path || '%'
                join users u on u.tenant_id = o.tenant_id and u.org_unit_id = o.id
                where s.tenant_id = ${tenantId}::uuid and s.id = any(${`{${storeIds.join(',')}}`}::uuid[])
                  and u.active and u.role = 'store_manager'`,
          );
    // The owner hears of each lead; a manager hears of one lead by name, of several in one note per sweep.
    const forManager = new Map<string, typeof breached>();
    for (const b of breached) {
      if (b.owner_user_id)
        notes.push({
          userId: b.owner_user_id,
          kind: 'lead.sla_breached',
          title: `首次联系超时 First contact overdue: ${b.customer_name ?? '客户'}`,
          link: `/leads/${b.id}`,
        });
      for (const m of managers) {
        if (m.store_id !== b.store_id || m.id === b.owner_user_id) continue;
        forManager.set(m.id, [...(forManager.get(m.id) ?? []), b]);
      }
    }
    for (const [userId, leads] of forManager)
      notes.push(
        leads.length === 1
          ? {
              userId,
              kind: 'lead.sla_breached',
              title: `首次联系超时 First contact overdue: ${leads[0]!.customer_name ?? '客户'}`,
              link: `/leads/${leads[0]!.id}`,
            }
          : {
              userId,
              kind: 'lead.sla_breached',
              title: `${leads.length} 条线索首次联系超时 ${leads.length} leads missed first contact`,
              link: '/leads?sla=breached',
            },
      );
    // One delivery per sweep lists every breached lead (ids only): a receiver gets the batch at once.
    await enqueueWebhookEvent(tx, tenantId, 'lead.sla_breached', {
      at,
      leads: breached.map((b) => ({ leadId: b.id, storeId: b.store_id, ownerUserId: b.owner_user_id })),
    });
  }
  await notify(tx, tenantId, notes);

  let reassigned = 0;
  if (settings.reassignOnBreach) {
    for (const b of breached.filter((x) => x.store_id).slice(0, REASSIGN_PER_SWEEP)) {
      if (await reassignAfterBreach(tx, tenantId, b, now)) reassigned += 1;
    }
  }
  return { reminded, breached: breached.length, reassigned };
}

/** The next consultant by the store's strategy (a claim pool falls back to round robin), never the one who let it lapse. */
async function reassignAfterBreach(
  tx: Tx,
  tenantId: string,
  lead: { id: string; owner_user_id: string | null; store_id: string | null; routing_rule_id: string | null },
  now: Date,
): Promise<boolean> {
  const [store] = await rowsOf<{
    id: string;
    path: string;
    name_zh: string;
    business_hours: [];
    time_zone: string;
    strategy: string | null;
  }>(
    tx,
    sql`select s.id, s.path, s.name_zh, s.business_hours, s.time_zone,
               (select r.strategy from routing_rules r where r.tenant_id = s.tenant_id and r.id = ${lead.routing_rule_id}::uuid) as strategy
        from org_units s where s.tenant_id = ${tenantId}::uuid and s.id = ${lead.store_id}::uuid`,
  );
  if (!store) return false;
  const pick = await pickByTurn(
    tx,
    tenantId,
    { id: store.id, path: store.path, name: store.name_zh, businessHours: store.business_hours, timeZone: store.time_zone },
    store.strategy === 'fewest_open' ? 'fewest_open' : 'round_robin',
    { write: true, exclude: lead.owner_user_id, at: now },
  );
  if (!pick.userId) return false;
  const given = await giveLeadTo(tx, tenantId, {
    leadId: lead.id,
    userId: pick.userId,
    reason: 'sla_breach',
    ruleId: lead.routing_rule_id,
    actorId: null,
    at: now,
  });
  return given !== null;
}

/** Every tenant's sweep, each in its own transaction. */
export async function runSlaSweep(database: Database, now = new Date()): Promise<SweepResult> {
  const tenants = await rowsOf<{ id: string }>(database.db, sql`select id from tenants where active order by id`);
  const total: SweepResult = { reminded: 0, breached: 0, reassigned: 0 };
  for (const { id } of tenants) {
    const r = await withTenant(database.db, id, (tx) => sweepTenantSla(tx, id, now));
    total.reminded += r.reminded;
    total.breached += r.breached;
    total.reassigned += r.reassigned;
  }
  return total;
}

/**
 * Every minute (pg-boss schedules by the minute, so this is the finest cron step): reminders before
 * the first-contact deadline and breaches after it. `singletonKey` of the schedule keeps two
 * processes from sweeping the same minute twice.
 */
export const slaSweepJob = defineJob({
  name: 'leads.sla-sweep',
  payload: z.object({}).passthrough(),
  schedule: '* * * * *',
  expireInSeconds: 120,
  retryLimit: 0, // the next minute's run is the retry
  handler: async (_payload, { database, logger }) => {
    const result = await runSlaSweep(database);
    if (result.reminded + result.breached + result.reassigned > 0) logger.info(result, 'lead SLA sweep');
  },
});
