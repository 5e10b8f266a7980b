import type { ActivityResult, LeadActivity, LeadStage, LogActivity, Task, UpdateAppointment } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { actorOf } from '../../platform/access.js';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict, invalid, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { changeStage, reopenLead, touchLead, type StageWriter } from './change-stage.js';
import { appendLeadEvents, type LeadEvent } from './customer-effects.js';
import { markFirstContact } from './sla.js';
import { assertLeadVersion, leadState, loadLeadForWork, type WorkLead } from './lead-access.js';
import { funnelIndex, isFunnelStage, type StageFacts } from './stages.js';
import { addTask } from './tasks.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Clocks of phones and PCs drift; an activity a few minutes "in the future" is still now. */
const CLOCK_SKEW_MS = 5 * MINUTE;
/** The second SLA of issue 4: call back within 30 minutes after a test drive. */
export const TEST_DRIVE_CALLBACK_MS = 30 * MINUTE;

interface ActivityRow {
  id: string;
  lead_id: string;
  type: LeadActivity['type'];
  at: Date | string;
  actor_id: string | null;
  actor_name: string | null;
  outcome: string | null;
  duration_sec: number | null;
  scheduled_at: Date | string | null;
  status: string | null;
  note: string | null;
  details: Record<string, unknown>;
  akey: string;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function toActivity(r: ActivityRow): LeadActivity {
  return {
    id: r.id,
    leadId: r.lead_id,
    type: r.type,
    at: iso(r.at)!,
    actorId: r.actor_id,
    actorName: r.actor_name,
    outcome: r.outcome,
    durationSec: r.duration_sec,
    scheduledAt: iso(r.scheduled_at),
    status: r.status,
    note: r.note,
    details: r.details,
  };
}

const ACTIVITY_SELECT = sql`select a.id, a.lead_id, a.type, a.at, a.actor_id, u.display_name as actor_name, a.outcome, a.duration_sec,
         a.scheduled_at, a.status, a.note, a.details, a.at::text as akey
  from lead_activities a left join users u on u.tenant_id = a.tenant_id and u.id = a.actor_id`;

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
function dayIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * When to remind the owner of an appointment: the day before (24 h ahead), or 2 h before when it is
 * booked for the same day or the day-before time has passed; none when even that has passed.
 */
export function appointmentReminderDue(scheduledAt: Date, now: Date, timeZone: string): Date | null {
  const dayBefore = new Date(scheduledAt.getTime() - 24 * HOUR);
  const twoHoursBefore = new Date(scheduledAt.getTime() - 2 * HOUR);
  if (dayIn(scheduledAt, timeZone) !== dayIn(now, timeZone) && dayBefore > now) return dayBefore;
  return twoHoursBefore > now ? twoHoursBefore : null;
}

/** Type-specific fields of an activity, as stored in `details` (and shown on the timeline: no notes, no contacts). */
function detailsOf(input: LogActivity): Record<string, unknown> {
  switch (input.type) {
    case 'call':
      return { direction: input.direction };
    case 'message':
      return { channel: input.channel, direction: input.direction };
    case 'visit':
      return { partySize: input.partySize };
    case 'appointment':
      return { kind: input.kind };
    case 'test_drive':
      return {
        model: input.model,
        consentSigned: input.consentSigned,
        ...(input.durationMin === undefined ? {} : { durationMin: input.durationMin }),
        ...(input.feedbackScore === undefined ? {} : { feedbackScore: input.feedbackScore }),
      };
    case 'note':
      return {};
  }
}

async function insertActivity(
  ctx: UseCaseContext,
  lead: WorkLead,
  row: {
    id: string;
    type: LeadActivity['type'];
    at: Date;
    outcome?: string | null;
    durationSec?: number | null;
    scheduledAt?: Date | null;
    status?: string | null;
    note?: string | null;
    details: Record<string, unknown>;
  },
): Promise<void> {
  await ctx.tx.execute(sql`
    insert into lead_activities (tenant_id, id, lead_id, profile_id, type, outcome, duration_sec, scheduled_at, status, note, details, actor_id, at)
    values (${ctx.auth.tenantId}::uuid, ${row.id}::uuid, ${lead.id}::uuid, ${lead.profileId}::uuid, ${row.type}, ${row.outcome ?? null},
            ${row.durationSec ?? null}, ${row.scheduledAt ? row.scheduledAt.toISOString() : null}::timestamptz, ${row.status ?? null},
            ${row.note ?? null}, ${JSON.stringify(row.details)}::jsonb, ${actorOf(ctx.auth).actorId}::uuid, ${row.at.toISOString()}::timestamptz)`);
}

/** The funnel stage an activity brings the lead to, with the fact that allows it. */
function stageEffect(input: LogActivity): { to: LeadStage; facts: StageFacts } | null {
  switch (input.type) {
    case 'call':
      return input.outcome === 'connected' ? { to: 'contacted', facts: { twoWayContact: true } } : null;
    case 'message':
      return input.direction === 'inbound' ? { to: 'contacted', facts: { twoWayContact: true } } : null;
    case 'appointment':
      return { to: 'appointment', facts: { appointment: true } };
    case 'visit':
      return { to: 'visited', facts: { visit: true } };
    case 'test_drive':
      return { to: 'test_drive', facts: { testDrive: true, visit: true } };
    case 'note':
      return null;
  }
}

/** Moves the lead forward to `to` when it is behind it; an activity never moves a lead back. */
async function advance(w: StageWriter, lead: WorkLead, to: LeadStage, facts: StageFacts, at: Date): Promise<WorkLead> {
  if (!isFunnelStage(lead.stage) || lead.stage === 'delivered' || funnelIndex(to) <= funnelIndex(lead.stage)) return lead;
  return changeStage(w, lead, to, facts, { at, reason: 'activity' });
}

/**
 * Logs a call, message, visit, appointment, test drive or note on a lead and applies its effects: first
 * contact (the first outbound attempt by a person), the stage it proves (never backwards), a test drive's
 * implied visit, the tasks the rules create (appointment reminder, 30-minute test-drive callback) and a
 * timeline event on the customer's profile. A dormant lead is reopened by it; a lost one must be reopened first.
 */
export async function logActivity(ctx: UseCaseContext, leadId: string, input: LogActivity): Promise<ActivityResult> {
  let lead = await loadLeadForWork(ctx, leadId, { forUpdate: true });
  assertLeadVersion(lead, input.version);
  const now = new Date();
  const at = input.at ? new Date(input.at) : now;
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS)
    throw invalid('at', 'an activity is logged when it happened, not in the future; book an appointment for a later time.');
  if (lead.stage === 'lost' && input.type !== 'note')
    throw conflict('The lead is closed as 战败 (lost); reopen it before logging calls, visits or test drives on it.', {
      rule: 'reopen_first',
    });

  const tenantId = ctx.auth.tenantId;
  const w: StageWriter = { tx: ctx.tx, tenantId, actorId: actorOf(ctx.auth).actorId };
  const byPerson = ctx.auth.userId !== null;
  if (lead.stage === 'dormant') lead = await reopenLead(w, lead, { at, reason: 'activity' });

  const id = uuidv7();
  const details = detailsOf(input);
  await insertActivity(ctx, lead, {
    id,
    type: input.type,
    at,
    outcome: input.type === 'call' ? input.outcome : null,
    durationSec:
      input.type === 'call'
        ? (input.durationSec ?? null)
        : input.type === 'test_drive' && input.durationMin
          ? input.durationMin * 60
          : null,
    scheduledAt: input.type === 'appointment' ? new Date(input.scheduledAt) : null,
    status: input.type === 'appointment' ? 'scheduled' : null,
    note: input.note ?? null,
    details,
  });
  const events: LeadEvent[] = [
    {
      profileId: lead.profileId,
      messageId: `lead-activity:${id}`,
      name: input.type,
      at,
      properties: {
        leadId: lead.id,
        activityId: id,
        ...details,
        ...(input.type === 'call'
          ? { outcome: input.outcome, ...(input.durationSec === undefined ? {} : { durationSec: input.durationSec }) }
          : {}),
        ...(input.type === 'appointment' ? { scheduledAt: new Date(input.scheduledAt).toISOString() } : {}),
      },
    },
  ];

  if (byPerson && (input.type === 'call' || input.type === 'message') && input.direction === 'outbound')
    await markFirstContact(ctx.tx, tenantId, lead.id, at);

  const tasks: Task[] = [];
  const owner = lead.ownerUserId ?? ctx.auth.userId;
  const stageBefore = lead.stage;
  if (input.type === 'test_drive') {
    // A test drive happens at the store (or from it): it proves the visit, which is recorded if missing.
    const [visit] = await rowsOf<{ id: string }>(
      ctx.tx,
      sql`select id from lead_activities where tenant_id = ${tenantId}::uuid and lead_id = ${lead.id}::uuid and type = 'visit' limit 1`,
    );
    if (!visit) {
      const visitId = uuidv7();
      await insertActivity(ctx, lead, { id: visitId, type: 'visit', at, details: { partySize: 1, impliedBy: id } });
      events.push({
        profileId: lead.profileId,
        messageId: `lead-activity:${visitId}`,
        name: 'visit',
        at,
        properties: { leadId: lead.id, activityId: visitId, impliedBy: id },
      });
    }
    lead = await advance(w, lead, 'visited', { visit: true }, at);
    if (owner)
      tasks.push(
        await addTask(ctx.tx, tenantId, {
          lead,
          type: 'test_drive_callback',
          rule: 'test_drive_callback',
          title: null,
          dueAt: new Date(at.getTime() + TEST_DRIVE_CALLBACK_MS),
          ownerUserId: owner,
          createdBy: ctx.auth.userId,
        }),
      );
  }
  if (input.type === 'appointment' && owner) {
    const due = appointmentReminderDue(new Date(input.scheduledAt), now, ctx.auth.tenantTimeZone);
    if (due)
      tasks.push(
        await addTask(ctx.tx, tenantId, {
          lead,
          type: 'appointment_reminder',
          rule: `appointment_reminder:${id}`,
          title: null,
          dueAt: due,
          ownerUserId: owner,
          createdBy: ctx.auth.userId,
        }),
      );
  }

  const effect = stageEffect(input);
  if (effect) lead = await advance(w, lead, effect.to, effect.facts, at);
  if (lead.stage === stageBefore) lead = await touchLead(w, lead, at);
  await appendLeadEvents(ctx.tx, tenantId, events);

  const [row] = await rowsOf<ActivityRow>(ctx.tx, sql`${ACTIVITY_SELECT} where a.tenant_id = ${tenantId}::uuid and a.id = ${id}::uuid`);
  return { activity: toActivity(row!), lead: leadState(lead), tasks };
}

/** Marks a booked appointment done, cancelled or a no-show; its reminder closes with it. */
export async function updateAppointment(
  ctx: UseCaseContext,
  leadId: string,
  activityId: string,
  input: UpdateAppointment,
): Promise<LeadActivity> {
  const lead = await loadLeadForWork(ctx, leadId, { forUpdate: true });
  const tenantId = ctx.auth.tenantId;
  const [row] = await rowsOf<{ id: string; type: string; status: string | null; details: Record<string, unknown> }>(
    ctx.tx,
    sql`select id, type, status, details from lead_activities
        where tenant_id = ${tenantId}::uuid and lead_id = ${lead.id}::uuid and id = ${activityId}::uuid for update`,
  );
  if (!row || row.type !== 'appointment') throw notFound('Appointment');
  if (row.status !== 'scheduled')
    throw conflict(`status: the appointment is already ${row.status ?? 'closed'}.`, {
      rule: 'appointment_not_scheduled',
      status: row.status,
    });
  await ctx.tx.execute(sql`
    update lead_activities set status = ${input.status} where tenant_id = ${tenantId}::uuid and id = ${activityId}::uuid`);
  await ctx.tx.execute(sql`
    update tasks set status = ${input.status === 'done' ? 'done' : 'cancelled'}, done_at = now(), version = version + 1
    where tenant_id = ${tenantId}::uuid and lead_id = ${lead.id}::uuid and rule = ${`appointment_reminder:${activityId}`} and status = 'open'`);
  const at = new Date();
  await touchLead({ tx: ctx.tx, tenantId, actorId: actorOf(ctx.auth).actorId }, lead, at);
  await appendLeadEvents(ctx.tx, tenantId, [
    {
      profileId: lead.profileId,
      messageId: `lead-appointment:${activityId}:${input.status}`,
      name: `appointment_${input.status}`,
      at,
      properties: { leadId: lead.id, activityId, kind: row.details.kind ?? null },
    },
  ]);
  const [updated] = await rowsOf<ActivityRow>(
    ctx.tx,
    sql`${ACTIVITY_SELECT} where a.tenant_id = ${tenantId}::uuid and a.id = ${activityId}::uuid`,
  );
  return toActivity(updated!);
}

/** A lead's activities, newest first. */
export async function listActivities(
  ctx: UseCaseContext,
  leadId: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: LeadActivity[]; nextCursor: string | null }> {
  const lead = await loadLeadForWork(ctx, leadId, { forUpdate: false });
  const cursor = decodeCursor(query.cursor, 2);
  const after = cursor ? sql`and (a.at, a.id) < (${String(cursor[0])}::timestamptz, ${String(cursor[1])}::uuid)` : sql``;
  const rows = await rowsOf<ActivityRow>(
    ctx.tx,
    sql`${ACTIVITY_SELECT} where a.tenant_id = ${ctx.auth.tenantId}::uuid and a.lead_id = ${lead.id}::uuid ${after}
        order by a.at desc, a.id desc limit ${query.limit + 1}`,
  );
  const keyOf = new Map(rows.map((r) => [r.id, r.akey]));
  return pageFrom(rows.map(toActivity), query.limit, (a) => [keyOf.get(a.id)!, a.id]);
}
