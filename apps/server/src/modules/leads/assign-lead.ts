import { ROLE_MATRIX, Role, type AssignLead, type BulkReassign, type BulkReassignResult } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf, type Tx } from '../../platform/db.js';
import { AppError, conflict, invalid, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { appendActivity } from '../customers/append-activity.js';
import { enqueueWebhookEvent } from '../notifications/enqueue-webhook-event.js';
import { notify } from '../notifications/notify.js';
import { leadInScope } from './lead-scope.js';
import { storeAbove, type StoreRow } from './route-lead.js';

/** Why a lead got its owner (lead_assignments.reason). */
export type AssignmentReason =
  | 'entered'
  | 'returning_customer'
  | 'round_robin'
  | 'fewest_open'
  | 'claim_pool'
  | 'nobody_eligible'
  | 'unrouted'
  | 'claim'
  | 'claim_timeout'
  | 'manual'
  | 'sla_breach';

export interface AssignmentRecord {
  leadId: string;
  storeId: string | null;
  userId: string | null;
  ruleId: string | null;
  reason: AssignmentReason;
  actorId: string | null;
  at: Date;
}

/** Every routing decision and every change of owner leaves a row: which rule or person made it, and why. */
export async function recordAssignment(tx: Tx, tenantId: string, a: AssignmentRecord): Promise<void> {
  await tx.execute(sql`insert into lead_assignments (tenant_id, id, lead_id, store_id, user_id, rule_id, reason, actor_id, at)
    values (${tenantId}::uuid, ${uuidv7(a.at.getTime())}::uuid, ${a.leadId}::uuid, ${a.storeId}::uuid, ${a.userId}::uuid,
            ${a.ruleId}::uuid, ${a.reason}, ${a.actorId}::uuid, ${a.at.toISOString()}::timestamptz)`);
}

/**
 * The store now works this customer: link the profile to the store (its data scope) and, when the
 * profile has no owner yet (or only this store), make the store and the consultant its owner.
 */
export async function adoptProfile(
  tx: Tx,
  tenantId: string,
  profileId: string,
  store: { id: string; path: string } | null,
  userId: string | null,
): Promise<void> {
  if (!store) return;
  await appendActivity(tx, tenantId, {
    events: [],
    consents: [],
    vehicles: [],
    units: [{ profile_id: profileId, org_unit_id: store.id, path: store.path }],
    unitReason: 'lead',
  });
  await tx.execute(sql`update profiles set owner_org_unit_id = ${store.id}::uuid, owner_user_id = coalesce(${userId}::uuid, owner_user_id), updated_at = now()
    where tenant_id = ${tenantId}::uuid and id = ${profileId}::uuid and owner_user_id is null
      and (owner_org_unit_id is null or (owner_org_unit_id = ${store.id}::uuid and ${userId}::uuid is not null))`);
}

/** Tell new owners about their leads (in-app, and WeCom when the tenant forwards these) and queue lead.assigned webhooks. */
export async function announceAssignments(
  tx: Tx,
  tenantId: string,
  items: Array<{ leadId: string; userId: string; customerName: string | null; storeId: string | null; reason: AssignmentReason }>,
): Promise<void> {
  if (items.length === 0) return;
  await notify(
    tx,
    tenantId,
    items.map((i) => ({
      userId: i.userId,
      kind: 'lead.assigned',
      title: `新线索 New lead: ${i.customerName ?? '客户'}`,
      link: `/leads/${i.leadId}`,
    })),
  );
  for (const i of items)
    await enqueueWebhookEvent(tx, tenantId, 'lead.assigned', { leadId: i.leadId, storeId: i.storeId, userId: i.userId, reason: i.reason });
}

interface GiveOptions {
  leadId: string;
  userId: string;
  /** The store the lead moves to (an unrouted lead given to a consultant goes to the consultant's store). */
  store?: StoreRow | null;
  reason: AssignmentReason;
  ruleId?: string | null;
  actorId: string | null;
  /** Only if the lead is still at this version (a person's edit); stale → null. */
  expectVersion?: number;
  at?: Date;
}

/**
 * Make `userId` the lead's owner: the lead (out of any claim pool), its open first-contact task, the
 * assignment record, the customer's owner if it had none, and the new owner's notification. Returns
 * null when the lead is gone or no longer at `expectVersion`.
 */
export async function giveLeadTo(
  tx: Tx,
  tenantId: string,
  o: GiveOptions,
): Promise<{ id: string; version: number; storeId: string | null; previousOwner: string | null } | null> {
  const at = o.at ?? new Date();
  const store = o.store ?? null;
  const [row] = await rowsOf<{
    id: string;
    profile_id: string;
    store_id: string | null;
    store_path: string | null;
    customer_name: string | null;
    version: number;
    previous_owner: string | null;
  }>(
    tx,
    sql`update leads l set owner_user_id = ${o.userId}::uuid, assigned_at = ${at.toISOString()}::timestamptz, claim_until = null,
               store_id = coalesce(${store?.id ?? null}::uuid, l.store_id), store_path = coalesce(${store?.path ?? null}, l.store_path),
               version = l.version + 1, updated_at = now()
        from (select id, owner_user_id from leads where tenant_id = ${tenantId}::uuid and id = ${o.leadId}::uuid) before
        where l.tenant_id = ${tenantId}::uuid and l.id = ${o.leadId}::uuid and before.id = l.id
          ${o.expectVersion === undefined ? sql`` : sql`and l.version = ${o.expectVersion}`}
        returning l.id, l.profile_id, l.store_id, l.store_path, l.customer_name, l.version, before.owner_user_id as previous_owner`,
  );
  if (!row) return null;
  await recordAssignment(tx, tenantId, {
    leadId: row.id,
    storeId: row.store_id,
    userId: o.userId,
    ruleId: o.ruleId ?? null,
    reason: o.reason,
    actorId: o.actorId,
    at,
  });
  await tx.execute(sql`update tasks set owner_user_id = ${o.userId}::uuid, store_id = ${row.store_id}::uuid, store_path = ${row.store_path}
    where tenant_id = ${tenantId}::uuid and lead_id = ${row.id}::uuid and type = 'first_contact' and status = 'open'`);
  await adoptProfile(
    tx,
    tenantId,
    row.profile_id,
    row.store_id && row.store_path ? { id: row.store_id, path: row.store_path } : null,
    o.userId,
  );
  if (o.userId !== o.actorId)
    await announceAssignments(tx, tenantId, [
      { leadId: row.id, userId: o.userId, customerName: row.customer_name, storeId: row.store_id, reason: o.reason },
    ]);
  return { id: row.id, version: row.version, storeId: row.store_id, previousOwner: row.previous_owner };
}

interface LeadForAssign {
  id: string;
  owner_user_id: string | null;
  store_id: string | null;
  store_path: string | null;
  claim_until: Date | string | null;
  version: number;
}

async function leadInScopeForUpdate(ctx: UseCaseContext, leadId: string): Promise<LeadForAssign | null> {
  const [row] = await rowsOf<LeadForAssign>(
    ctx.tx,
    sql`select l.id, l.owner_user_id, l.store_id, l.store_path, l.claim_until, l.version from leads l
        where l.tenant_id = ${ctx.auth.tenantId}::uuid and l.id = ${leadId}::uuid and ${leadInScope(ctx.auth)} for update`,
  );
  return row ?? null;
}

interface Assignee {
  id: string;
  name: string;
  path: string;
}

/** The consultant a manager hands leads to: an active user in the manager's scope whose role works leads. */
async function assigneeOf(ctx: UseCaseContext, userId: string): Promise<Assignee> {
  const [u] = await rowsOf<{ id: string; display_name: string; role: string; path: string }>(
    ctx.tx,
    sql`select u.id, u.display_name, u.role, o.path from users u join org_units o on o.tenant_id = u.tenant_id and o.id = u.org_unit_id
        where u.tenant_id = ${ctx.auth.tenantId}::uuid and u.id = ${userId}::uuid and u.active and o.path like ${ctx.auth.scopePath + '%'}`,
  );
  if (!u) throw invalid('userId', 'no active user with this id in your part of the organisation.');
  const role = Role.safeParse(u.role);
  if (!role.success || !ROLE_MATRIX[role.data].permissions.includes('leads.work'))
    throw invalid('userId', `${u.display_name} has a role that does not work leads.`);
  return { id: u.id, name: u.display_name, path: u.path };
}

/** The store a lead will belong to when `user` takes it: its own store, or the user's store for an unrouted lead. */
async function storeFor(
  ctx: UseCaseContext,
  lead: LeadForAssign,
  user: Assignee,
): Promise<{ store: StoreRow | null; problem: string | null }> {
  if (lead.store_path) {
    if (!lead.store_id || user.path.startsWith(lead.store_path)) return { store: null, problem: null };
    return { store: null, problem: `${user.name} does not work in the lead's store.` };
  }
  const store = await storeAbove(ctx.tx, ctx.auth.tenantId, user.path);
  return store ? { store, problem: null } : { store: null, problem: `${user.name} does not belong to a store.` };
}

/** A manager gives a lead to a consultant (optimistic by the lead's version); audited. */
export async function assignLead(
  ctx: UseCaseContext,
  leadId: string,
  input: AssignLead,
): Promise<{ id: string; ownerUserId: string; version: number }> {
  const lead = await leadInScopeForUpdate(ctx, leadId);
  if (!lead) throw notFound('Lead');
  if (lead.version !== input.version)
    throw conflict(
      `version: the lead was changed by someone else since you loaded it (it is now version ${lead.version}, you sent ${input.version}); reload and try again.`,
      { path: 'version', current: lead.version },
    );
  const user = await assigneeOf(ctx, input.userId);
  const { store, problem } = await storeFor(ctx, lead, user);
  if (problem) throw invalid('userId', problem);
  const given = await giveLeadTo(ctx.tx, ctx.auth.tenantId, {
    leadId,
    userId: user.id,
    store,
    reason: 'manual',
    actorId: ctx.auth.userId ?? ctx.auth.apiKeyId,
    expectVersion: input.version,
  });
  if (!given) throw conflict('version: the lead was changed by someone else; reload and try again.', { path: 'version' });
  await auditAction(ctx, {
    action: 'lead.assigned',
    targetType: 'lead',
    targetId: leadId,
    details: { from: lead.owner_user_id, to: user.id, storeId: given.storeId },
  });
  return { id: leadId, ownerUserId: user.id, version: given.version };
}

/** Move many leads to one consultant (a manager's bulk action); leads outside scope or the consultant's store are skipped. */
export async function bulkReassignLeads(ctx: UseCaseContext, input: BulkReassign): Promise<BulkReassignResult> {
  const user = await assigneeOf(ctx, input.userId);
  const reassigned: string[] = [];
  const skipped: BulkReassignResult['skipped'] = [];
  for (const leadId of [...new Set(input.leadIds)]) {
    const lead = await leadInScopeForUpdate(ctx, leadId);
    if (!lead) {
      skipped.push({ id: leadId, reason: 'not found' });
      continue;
    }
    if (lead.owner_user_id === user.id) {
      skipped.push({ id: leadId, reason: 'already owned by this user' });
      continue;
    }
    const { store, problem } = await storeFor(ctx, lead, user);
    if (problem) {
      skipped.push({ id: leadId, reason: problem });
      continue;
    }
    const given = await giveLeadTo(ctx.tx, ctx.auth.tenantId, {
      leadId,
      userId: user.id,
      store,
      reason: 'manual',
      actorId: ctx.auth.userId ?? ctx.auth.apiKeyId,
    });
    if (given) reassigned.push(leadId);
  }
  if (reassigned.length > 0)
    await auditAction(ctx, {
      action: 'lead.bulk_reassigned',
      targetType: 'lead',
      details: { to: user.id, leadIds: reassigned, skipped: skipped.length },
    });
  return { reassigned, skipped };
}

/**
 * 抢单: a consultant of the store takes a lead from its claim pool. The first claim wins (the update
 * only takes a lead that still has no owner); the second gets 409.
 */
export async function claimLead(ctx: UseCaseContext, leadId: string): Promise<{ id: string; ownerUserId: string; version: number }> {
  const me = ctx.auth.userId;
  if (!me) throw new AppError('FORBIDDEN', 'Claiming a lead needs a signed-in user, not an API key.');
  const t = ctx.auth.tenantId;
  const [claimed] = await rowsOf<{ id: string; store_id: string | null; profile_id: string; store_path: string | null; version: number }>(
    ctx.tx,
    sql`update leads l set owner_user_id = ${me}::uuid, claim_until = null, assigned_at = now(), version = l.version + 1, updated_at = now()
        where l.tenant_id = ${t}::uuid and l.id = ${leadId}::uuid and l.owner_user_id is null and l.claim_until is not null
          and ${leadInScope(ctx.auth)}
          and exists (select 1 from users u join org_units o on o.tenant_id = u.tenant_id and o.id = u.org_unit_id
                      where u.tenant_id = l.tenant_id and u.id = ${me}::uuid and o.path like l.store_path || '%')
        returning l.id, l.store_id, l.profile_id, l.store_path, l.version`,
  );
  if (!claimed) {
    const [lead] = await rowsOf<{ owner_user_id: string | null; owner_name: string | null; claim_until: unknown }>(
      ctx.tx,
      sql`select l.owner_user_id, u.display_name as owner_name, l.claim_until from leads l
          left join users u on u.tenant_id = l.tenant_id and u.id = l.owner_user_id
          where l.tenant_id = ${t}::uuid and l.id = ${leadId}::uuid and (${leadInScope(ctx.auth)} or l.store_path like ${ctx.auth.scopePath + '%'})`,
    );
    if (!lead) throw notFound('Lead');
    if (lead.owner_user_id === me) throw conflict('You already own this lead.');
    if (lead.owner_user_id) throw conflict(`Someone was faster: ${lead.owner_name ?? 'another consultant'} has claimed this lead.`);
    if (!lead.claim_until) throw conflict('This lead is not in a claim pool; a manager assigns it.');
    throw conflict('Only consultants of the lead’s store can claim it.');
  }
  await recordAssignment(ctx.tx, t, {
    leadId,
    storeId: claimed.store_id,
    userId: me,
    ruleId: null,
    reason: 'claim',
    actorId: me,
    at: new Date(),
  });
  await ctx.tx.execute(sql`update tasks set owner_user_id = ${me}::uuid
    where tenant_id = ${t}::uuid and lead_id = ${leadId}::uuid and type = 'first_contact' and status = 'open'`);
  await adoptProfile(
    ctx.tx,
    t,
    claimed.profile_id,
    claimed.store_id && claimed.store_path ? { id: claimed.store_id, path: claimed.store_path } : null,
    me,
  );
  await enqueueWebhookEvent(ctx.tx, t, 'lead.assigned', { leadId, storeId: claimed.store_id, userId: me, reason: 'claim' });
  return { id: leadId, ownerUserId: me, version: claimed.version };
}
