import type { LeadState, MoveLeadStage, ReopenLead } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict } from '../../platform/errors.js';
import { auditAction } from '../audit/record-audit.js';
import { changeStage, reopenLead, stageWriter } from './change-stage.js';
import { assertLeadVersion, leadState, loadLeadForWork } from './lead-access.js';
import type { StageFacts } from './stages.js';

/** Reopens a lost or dormant lead where it had got to. Audited. */
export async function reopenLeadByHand(ctx: UseCaseContext, leadId: string, input: ReopenLead): Promise<LeadState> {
  const lead = await loadLeadForWork(ctx, leadId, { forUpdate: true });
  assertLeadVersion(lead, input.version);
  const reopened = await reopenLead(stageWriter(ctx), lead, { reason: 'reopen' });
  await auditAction(ctx, {
    action: 'lead.reopened',
    targetType: 'lead',
    targetId: lead.id,
    details: { from: lead.stage, to: reopened.stage },
  });
  return leadState(reopened);
}

/** The facts on record for a lead, for a move made by hand (the board). */
async function factsOnRecord(ctx: UseCaseContext, leadId: string): Promise<StageFacts> {
  const t = ctx.auth.tenantId;
  const [row] = await rowsOf<{
    two_way: boolean;
    appointment: boolean;
    visit: boolean;
    test_drive: boolean;
    deposit: boolean;
    ordered: boolean;
    delivered: boolean;
  }>(
    ctx.tx,
    sql`select
          exists (select 1 from lead_activities a where a.tenant_id = ${t}::uuid and a.lead_id = ${leadId}::uuid and
                  ((a.type = 'call' and a.outcome = 'connected') or (a.type = 'message' and a.details->>'direction' = 'inbound'))) as two_way,
          exists (select 1 from lead_activities a where a.tenant_id = ${t}::uuid and a.lead_id = ${leadId}::uuid and a.type = 'appointment') as appointment,
          exists (select 1 from lead_activities a where a.tenant_id = ${t}::uuid and a.lead_id = ${leadId}::uuid and a.type = 'visit') as visit,
          exists (select 1 from lead_activities a where a.tenant_id = ${t}::uuid and a.lead_id = ${leadId}::uuid and a.type = 'test_drive') as test_drive,
          exists (select 1 from orders o where o.tenant_id = ${t}::uuid and o.lead_id = ${leadId}::uuid and o.kind = 'deposit'
                  and o.status in ('active', 'delivered') and o.amount_fen > 0) as deposit,
          exists (select 1 from orders o where o.tenant_id = ${t}::uuid and o.lead_id = ${leadId}::uuid and o.kind = 'order'
                  and o.status in ('active', 'delivered') and o.model is not null and o.trim is not null) as ordered,
          exists (select 1 from orders o where o.tenant_id = ${t}::uuid and o.lead_id = ${leadId}::uuid and o.kind = 'order'
                  and o.status = 'delivered' and o.vin is not null) as delivered`,
  );
  return {
    twoWayContact: row!.two_way,
    appointment: row!.appointment,
    visit: row!.visit,
    testDrive: row!.test_drive,
    depositWithAmount: row!.deposit,
    orderWithModelAndTrim: row!.ordered,
    deliveredWithValidVin: row!.delivered,
  };
}

/**
 * Moves a lead by hand (the kanban board): forward only when the facts are on record, dormant from any
 * open stage; lost goes through a lost request (or a manager's close), and back only by reopening.
 */
export async function moveLeadStage(ctx: UseCaseContext, leadId: string, input: MoveLeadStage): Promise<LeadState> {
  const lead = await loadLeadForWork(ctx, leadId, { forUpdate: true });
  assertLeadVersion(lead, input.version);
  if (input.stage === 'lost' && lead.stage !== 'lost')
    throw conflict('战败 (lost) needs a manager: send a lost request, or a manager closes the lead.', { rule: 'lost_needs_approval' });
  const moved = await changeStage(stageWriter(ctx), lead, input.stage, await factsOnRecord(ctx, lead.id), { reason: 'manual' });
  return leadState(moved);
}
