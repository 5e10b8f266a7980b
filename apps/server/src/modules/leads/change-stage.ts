import type { LeadStage, LostReason } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { actorOf } from '../../platform/access.js';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf, type Tx } from '../../platform/db.js';
import { conflict } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { enqueueWebhookEvent } from '../notifications/enqueue-webhook-event.js';
import { appendLeadEvents } from './customer-effects.js';
import { LEAD_COLUMNS, toWorkLead, type LeadRow, type WorkLead } from './lead-access.js';
import { checkReopen, checkTransition, furthestOf, reopenTarget, type StageFacts, type TransitionCheck } from './stages.js';

/** Who writes a stage change, in which transaction (a request's or a job's). */
export interface StageWriter {
  tx: Tx;
  tenantId: string;
  actorId: string | null;
}

/** The caller of a use case as a stage writer. */
export function stageWriter(ctx: UseCaseContext): StageWriter {
  return { tx: ctx.tx, tenantId: ctx.auth.tenantId, actorId: actorOf(ctx.auth).actorId };
}

export interface StageChangeOptions {
  /** When it happened (an activity's time); never before the previous change. Defaults to now. */
  at?: Date;
  /** Why: `activity`, `deposit`, `lost_request`, `reopen`, `dormancy`, `manual` … */
  reason: string;
  lostReason?: LostReason;
}

/** Throws the 409 of a refused move: the rule code in the details, its sentence as the message. */
export function refuse(check: Extract<TransitionCheck, { kind: 'reject' }>): never {
  throw conflict(check.message, { rule: check.rule });
}

/**
 * Moves a lead to `to` if the rules allow it (409 naming the rule otherwise), writing the stage change,
 * the lead's stage facts and version, a timeline event and the `lead.stage_changed` webhook. A move to
 * the stage the lead is already in changes nothing. Answers the lead as it now is.
 */
export async function changeStage(
  w: StageWriter,
  lead: WorkLead,
  to: LeadStage,
  facts: StageFacts,
  opts: StageChangeOptions,
): Promise<WorkLead> {
  const check = checkTransition(lead.stage, to, { ...facts, lostReason: opts.lostReason ?? facts.lostReason ?? null });
  if (check.kind === 'reject') refuse(check);
  if (check.kind === 'none') return lead;
  return writeStageChange(w, lead, to, opts);
}

/** Reopens a lost or dormant lead at the furthest open stage it reached (at least `contacted`). */
export async function reopenLead(w: StageWriter, lead: WorkLead, opts: Omit<StageChangeOptions, 'lostReason'>): Promise<WorkLead> {
  const check = checkReopen(lead.stage);
  if (check.kind === 'reject') refuse(check);
  return writeStageChange(w, lead, reopenTarget(lead.furthestStage), opts);
}

async function writeStageChange(w: StageWriter, lead: WorkLead, to: LeadStage, opts: StageChangeOptions): Promise<WorkLead> {
  const requested = opts.at ?? new Date();
  const at = requested < lead.stageChangedAt ? lead.stageChangedAt : requested;
  const furthest = furthestOf(lead.furthestStage, to);
  const lostReason = to === 'lost' ? (opts.lostReason ?? null) : null;
  const [row] = await rowsOf<LeadRow>(
    w.tx,
    sql`update leads l set stage = ${to}, stage_changed_at = ${at.toISOString()}::timestamptz, furthest_stage = ${furthest},
               lost_reason = ${lostReason}, last_activity_at = greatest(l.last_activity_at, ${at.toISOString()}::timestamptz),
               version = l.version + 1, updated_at = now()
        where l.tenant_id = ${w.tenantId}::uuid and l.id = ${lead.id}::uuid
        returning ${LEAD_COLUMNS}`,
  );
  if (!row) throw new Error(`lead ${lead.id} vanished while its stage changed`);
  const changeId = uuidv7();
  await w.tx.execute(sql`
    insert into lead_stage_changes (tenant_id, id, lead_id, from_stage, to_stage, actor_id, reason, at)
    values (${w.tenantId}::uuid, ${changeId}::uuid, ${lead.id}::uuid, ${lead.stage}, ${to}, ${w.actorId}::uuid,
            ${opts.lostReason ? `${opts.reason}:${opts.lostReason}` : opts.reason}, ${at.toISOString()}::timestamptz)`);
  await appendLeadEvents(w.tx, w.tenantId, [
    {
      profileId: lead.profileId,
      messageId: `lead-stage:${changeId}`,
      name: `stage:${to}`,
      at,
      properties: { leadId: lead.id, from: lead.stage, to, reason: opts.reason, ...(lostReason ? { lostReason } : {}) },
    },
  ]);
  await enqueueWebhookEvent(w.tx, w.tenantId, 'lead.stage_changed', {
    leadId: lead.id,
    from: lead.stage,
    to,
    reason: opts.reason,
    ...(lostReason ? { lostReason } : {}),
    storeId: lead.storeId,
    ownerUserId: lead.ownerUserId,
    at: at.toISOString(),
  });
  return toWorkLead(row);
}

/** Records that someone worked the lead without a stage change (keeps dormancy away). */
export async function touchLead(w: StageWriter, lead: WorkLead, at: Date): Promise<WorkLead> {
  const [row] = await rowsOf<LeadRow>(
    w.tx,
    sql`update leads l set last_activity_at = greatest(l.last_activity_at, ${at.toISOString()}::timestamptz), updated_at = now()
        where l.tenant_id = ${w.tenantId}::uuid and l.id = ${lead.id}::uuid
        returning ${LEAD_COLUMNS}`,
  );
  return row ? toWorkLead(row) : lead;
}
