import type {
  CloseLead,
  CreateLostRequest,
  DecideLostRequest,
  LeadState,
  LeadStage,
  LostReason,
  LostRequest,
  LostRequestQuery,
} from '@forecourt/contracts';
import { sql, type SQL } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import { actorOf } from '../../platform/access.js';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { auditAction } from '../audit/record-audit.js';
import { changeStage, refuse, stageWriter } from './change-stage.js';
import { assertLeadVersion, leadState, loadLeadForWork, type WorkLead } from './lead-access.js';
import { checkTransition } from './stages.js';
import { closeLeadTasks } from './tasks.js';

interface LostRequestRow {
  id: string;
  lead_id: string;
  customer_name: string | null;
  lead_stage: LeadStage;
  reason: LostReason;
  note: string | null;
  requested_by: string;
  requested_by_name: string | null;
  requested_at: Date | string;
  status: LostRequest['status'];
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | string | null;
  decision_note: string | null;
  rkey: string;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function toLostRequest(r: LostRequestRow): LostRequest {
  return {
    id: r.id,
    leadId: r.lead_id,
    customerName: r.customer_name,
    leadStage: r.lead_stage,
    reason: r.reason,
    note: r.note,
    requestedBy: r.requested_by,
    requestedByName: r.requested_by_name,
    requestedAt: iso(r.requested_at)!,
    status: r.status,
    decidedBy: r.decided_by,
    decidedByName: r.decided_by_name,
    decidedAt: iso(r.decided_at),
    decisionNote: r.decision_note,
  };
}

const LOST_SELECT = sql`select r.id, r.lead_id, l.customer_name, l.stage as lead_stage, r.reason, r.note, r.requested_by,
         rq.display_name as requested_by_name, r.requested_at, r.status, r.decided_by, dc.display_name as decided_by_name,
         r.decided_at, r.decision_note, r.requested_at::text as rkey
  from lost_requests r
  join leads l on l.tenant_id = r.tenant_id and l.id = r.lead_id
  left join users rq on rq.tenant_id = r.tenant_id and rq.id = r.requested_by
  left join users dc on dc.tenant_id = r.tenant_id and dc.id = r.decided_by`;

/** Lost requests an approver may see: the leads of their subtree (tenant roles: all). */
function requestInScope(auth: AuthContext): SQL {
  if (auth.scope === 'tenant' || auth.scopePath === '/') return sql`true`;
  return sql`r.store_path like ${auth.scopePath + '%'}`;
}

async function requestById(ctx: UseCaseContext, id: string): Promise<LostRequest> {
  const [row] = await rowsOf<LostRequestRow>(
    ctx.tx,
    sql`${LOST_SELECT} where r.tenant_id = ${ctx.auth.tenantId}::uuid and r.id = ${id}::uuid`,
  );
  if (!row) throw notFound('Lost request');
  return toLostRequest(row);
}

function assertCanClose(lead: WorkLead): void {
  const check = checkTransition(lead.stage, 'lost', { lostReason: 'any' });
  if (check.kind === 'reject') refuse(check);
  if (check.kind === 'none') throw conflict('The lead is already closed as 战败 (lost).', { rule: 'reopen_first' });
}

/** 战败申请: the consultant asks to close the lead as lost; one pending request per lead. */
export async function requestLost(ctx: UseCaseContext, leadId: string, input: CreateLostRequest): Promise<LostRequest> {
  const lead = await loadLeadForWork(ctx, leadId, { forUpdate: true });
  assertCanClose(lead);
  const tenantId = ctx.auth.tenantId;
  const [pending] = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`select id from lost_requests where tenant_id = ${tenantId}::uuid and lead_id = ${lead.id}::uuid and status = 'pending'`,
  );
  if (pending)
    throw conflict('The lead already has a lost request waiting for a manager.', { rule: 'lost_request_pending', requestId: pending.id });
  const id = uuidv7();
  // The lead row is locked, so the one-pending unique index cannot be raced from here.
  await ctx.tx.execute(sql`
    insert into lost_requests (tenant_id, id, lead_id, store_path, reason, note, requested_by)
    values (${tenantId}::uuid, ${id}::uuid, ${lead.id}::uuid, ${lead.storePath}, ${input.reason}, ${input.note ?? null},
            ${actorOf(ctx.auth).actorId}::uuid)`);
  await ctx.tx.execute(sql`
    update leads set last_activity_at = greatest(last_activity_at, now()), updated_at = now()
    where tenant_id = ${tenantId}::uuid and id = ${lead.id}::uuid`);
  return requestById(ctx, id);
}

/** Lost requests in the approver's scope, oldest first (the queue order). */
export async function listLostRequests(
  ctx: UseCaseContext,
  query: LostRequestQuery,
): Promise<{ items: LostRequest[]; nextCursor: string | null }> {
  const conditions: SQL[] = [sql`r.tenant_id = ${ctx.auth.tenantId}::uuid`, requestInScope(ctx.auth), sql`r.status = ${query.status}`];
  const cursor = decodeCursor(query.cursor, 2);
  if (cursor) conditions.push(sql`(r.requested_at, r.id) > (${String(cursor[0])}::timestamptz, ${String(cursor[1])}::uuid)`);
  const rows = await rowsOf<LostRequestRow>(
    ctx.tx,
    sql`${LOST_SELECT} where ${sql.join(conditions, sql` and `)} order by r.requested_at, r.id limit ${query.limit + 1}`,
  );
  const keyOf = new Map(rows.map((r) => [r.id, r.rkey]));
  return pageFrom(rows.map(toLostRequest), query.limit, (r) => [keyOf.get(r.id)!, r.id]);
}

async function closeAsLost(ctx: UseCaseContext, lead: WorkLead, reason: LostReason, why: string): Promise<WorkLead> {
  const closed = await changeStage(stageWriter(ctx), lead, 'lost', {}, { reason: why, lostReason: reason });
  await closeLeadTasks(ctx.tx, ctx.auth.tenantId, lead.id, { status: 'cancelled' });
  return closed;
}

/**
 * A manager approves (the lead becomes 战败 with the request's reason) or rejects (the stage stays) a
 * pending lost request; both are audited, and a request is decided once.
 */
export async function decideLostRequest(
  ctx: UseCaseContext,
  requestId: string,
  decision: 'approved' | 'rejected',
  input: DecideLostRequest,
): Promise<{ request: LostRequest; lead: LeadState }> {
  const tenantId = ctx.auth.tenantId;
  const [found] = await rowsOf<{ lead_id: string }>(
    ctx.tx,
    sql`select r.lead_id from lost_requests r where r.tenant_id = ${tenantId}::uuid and r.id = ${requestId}::uuid and ${requestInScope(ctx.auth)}`,
  );
  if (!found) throw notFound('Lost request');
  // Lead first, then the request: the same lock order as requestLost.
  let lead = await loadLeadForWork(ctx, found.lead_id, { forUpdate: true });
  const [request] = await rowsOf<{ status: string; reason: LostReason }>(
    ctx.tx,
    sql`select status, reason from lost_requests where tenant_id = ${tenantId}::uuid and id = ${requestId}::uuid for update`,
  );
  if (!request || request.status !== 'pending')
    throw conflict(`status: the lost request was already ${request?.status ?? 'decided'}.`, {
      rule: 'already_decided',
      status: request?.status,
    });
  if (decision === 'approved') {
    assertCanClose(lead);
    lead = await closeAsLost(ctx, lead, request.reason, 'lost_request');
  }
  await ctx.tx.execute(sql`
    update lost_requests set status = ${decision}, decided_by = ${actorOf(ctx.auth).actorId}::uuid, decided_at = now(),
           decision_note = ${input.note ?? null}
    where tenant_id = ${tenantId}::uuid and id = ${requestId}::uuid`);
  await auditAction(ctx, {
    action: decision === 'approved' ? 'lost_request.approved' : 'lost_request.rejected',
    targetType: 'lead',
    targetId: lead.id,
    details: { requestId, reason: request.reason },
  });
  return { request: await requestById(ctx, requestId), lead: leadState(lead) };
}

/** A manager closes a lead as 战败 directly; a pending request on it counts as approved. Audited. */
export async function closeLeadAsLost(ctx: UseCaseContext, leadId: string, input: CloseLead): Promise<LeadState> {
  let lead = await loadLeadForWork(ctx, leadId, { forUpdate: true });
  assertLeadVersion(lead, input.version);
  assertCanClose(lead);
  lead = await closeAsLost(ctx, lead, input.reason, 'manager');
  await ctx.tx.execute(sql`
    update lost_requests set status = 'approved', decided_by = ${actorOf(ctx.auth).actorId}::uuid, decided_at = now(),
           decision_note = ${input.note ?? null}
    where tenant_id = ${ctx.auth.tenantId}::uuid and lead_id = ${lead.id}::uuid and status = 'pending'`);
  await auditAction(ctx, { action: 'lead.closed_lost', targetType: 'lead', targetId: lead.id, details: { reason: input.reason } });
  return leadState(lead);
}
