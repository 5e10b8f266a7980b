import type { LeadDetail, LeadListItem, LeadQuery } from '@forecourt/contracts';
import { LeadStage } from '@forecourt/contracts';
import { sql, type SQL } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { pgTextArray, rowsOf } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { leadInScope } from './lead-scope.js';

export { leadInScope };

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const yuan = (fen: number | null) => (fen === null ? null : fen / 100);

interface ListRow {
  id: string;
  profile_id: string;
  customer_name: string | null;
  phone: string | null;
  stage: string;
  source_id: string;
  source_name: string | null;
  intake: string;
  campaign: string | null;
  brand: string | null;
  series: string | null;
  model: string | null;
  store_id: string | null;
  store_name: string | null;
  owner_user_id: string | null;
  owner_name: string | null;
  priority: string;
  sla_state: string;
  first_contact_due_at: Date | string | null;
  first_contact_at: Date | string | null;
  claim_until: Date | string | null;
  inquiry_count: number;
  last_inquiry_at: Date | string;
  created_at: Date | string;
  version: number;
  /** The sort key at full precision, as text. */
  skey: string | null;
  customer_id: string;
}

/** The lead's customer, following a merge of the lead's profile one hop. */
const CUSTOMER = sql`coalesce(p.merged_into, l.profile_id)`;

/**
 * The customers' latest phones, masked, in one query for a page of leads. (As a correlated subquery it was
 * planned as a sequential scan of identities under row-level security: 2.5 s a page at a million leads.)
 */
async function phonesOf(ctx: UseCaseContext, customerIds: string[]): Promise<Map<string, string>> {
  if (customerIds.length === 0) return new Map();
  const rows = await rowsOf<{ profile_id: string; masked: string }>(
    ctx.tx,
    sql`select distinct on (profile_id) profile_id, masked from identities
        where tenant_id = ${ctx.auth.tenantId}::uuid and profile_id = any(${pgTextArray(customerIds)}::uuid[]) and type = 'phone'
        order by profile_id, last_seen_at desc`,
  );
  return new Map(rows.map((r) => [r.profile_id, r.masked]));
}

const LIST_FROM = sql`from leads l
  left join profiles p on p.tenant_id = l.tenant_id and p.id = l.profile_id
  left join sources s on s.tenant_id = l.tenant_id and s.id = l.source_id
  left join org_units o on o.tenant_id = l.tenant_id and o.id = l.store_id
  left join users u on u.tenant_id = l.tenant_id and u.id = l.owner_user_id`;

function toItem(r: ListRow): LeadListItem {
  return {
    id: r.id,
    profileId: r.profile_id,
    customerName: r.customer_name,
    phoneMasked: r.phone,
    stage: LeadStage.catch('new').parse(r.stage),
    sourceId: r.source_id,
    sourceName: r.source_name,
    intake: r.intake,
    campaign: r.campaign,
    brand: r.brand,
    series: r.series,
    model: r.model,
    storeId: r.store_id,
    storeName: r.store_name,
    ownerUserId: r.owner_user_id,
    ownerName: r.owner_name,
    priority: r.priority === 'high' ? 'high' : 'normal',
    slaState: r.sla_state === 'met' || r.sla_state === 'breached' ? r.sla_state : 'pending',
    firstContactDueAt: iso(r.first_contact_due_at),
    firstContactAt: iso(r.first_contact_at),
    claimUntil: iso(r.claim_until),
    inquiryCount: r.inquiry_count,
    lastInquiryAt: iso(r.last_inquiry_at)!,
    createdAt: iso(r.created_at)!,
    version: r.version,
  };
}

/**
 * Leads in the caller's scope, newest first or soonest first-contact deadline first (pending SLA
 * only), with keyset pagination like the customer list.
 */
export async function listLeads(ctx: UseCaseContext, query: LeadQuery): Promise<{ items: LeadListItem[]; nextCursor: string | null }> {
  const t = ctx.auth.tenantId;
  const conditions: SQL[] = [sql`l.tenant_id = ${t}::uuid`, leadInScope(ctx.auth)];
  if (query.stage) conditions.push(sql`l.stage = ${query.stage}`);
  if (query.store)
    conditions.push(
      sql`l.store_path like (select so.path from org_units so where so.tenant_id = ${t}::uuid and so.id = ${query.store}::uuid) || '%'`,
    );
  if (query.owner) conditions.push(sql`l.owner_user_id = ${query.owner === 'me' ? ctx.auth.userId : query.owner}::uuid`);
  if (query.source) conditions.push(sql`l.source_id = ${query.source}::uuid`);
  if (query.sla) conditions.push(sql`l.sla_state = ${query.sla}`);
  if (query.createdFrom) conditions.push(sql`l.created_at >= ${query.createdFrom}::timestamptz`);
  if (query.createdTo) conditions.push(sql`l.created_at < ${query.createdTo}::timestamptz`);
  if (query.q) conditions.push(sql`l.customer_name like ${query.q.replace(/[%_\\]/g, '') + '%'}`);
  if (query.unassigned === true) conditions.push(sql`l.owner_user_id is null`);
  if (query.unassigned === false) conditions.push(sql`l.owner_user_id is not null`);
  const cursor = decodeCursor(query.cursor, 2);
  let order: SQL;
  let skey: SQL;
  if (query.sort === 'due') {
    conditions.push(sql`l.sla_state = 'pending' and l.first_contact_due_at is not null`);
    if (cursor) conditions.push(sql`(l.first_contact_due_at, l.id) > (${String(cursor[0])}::timestamptz, ${String(cursor[1])}::uuid)`);
    order = sql`l.first_contact_due_at asc, l.id asc`;
    skey = sql`l.first_contact_due_at::text`;
  } else {
    if (cursor) conditions.push(sql`(l.created_at, l.id) < (${String(cursor[0])}::timestamptz, ${String(cursor[1])}::uuid)`);
    order = sql`l.created_at desc, l.id desc`;
    skey = sql`l.created_at::text`;
  }
  const rows = await rowsOf<ListRow>(
    ctx.tx,
    sql`select l.id, l.profile_id, l.customer_name, ${CUSTOMER} as customer_id, null as phone, l.stage, l.source_id, s.name as source_name, l.intake, l.campaign,
               l.brand, l.series, l.model, l.store_id, o.name_zh as store_name, l.owner_user_id, u.display_name as owner_name, l.priority,
               l.sla_state, l.first_contact_due_at, l.first_contact_at, l.claim_until, l.inquiry_count, l.last_inquiry_at, l.created_at,
               l.version, ${skey} as skey
        ${LIST_FROM}
        where ${sql.join(conditions, sql` and `)}
        order by ${order} limit ${query.limit + 1}`,
  );
  const phones = await phonesOf(
    ctx,
    rows.map((r) => r.customer_id),
  );
  for (const r of rows) r.phone = phones.get(r.customer_id) ?? null;
  const keyOf = new Map(rows.map((r) => [r.id, r.skey ?? '']));
  return pageFrom(rows.map(toItem), query.limit, (i) => [keyOf.get(i.id)!, i.id]);
}

/**
 * One lead with its customer (masked), routing history, inquiries and stage changes; 404 outside the
 * caller's scope. Activities, tasks and orders have their own endpoints (leads/*-routes.ts).
 */
export async function getLead(ctx: UseCaseContext, id: string): Promise<LeadDetail> {
  const t = ctx.auth.tenantId;
  const [row] = await rowsOf<
    ListRow & {
      live_profile_id: string;
      profile_name: string | null;
      profile_city: string | null;
      vehicle_condition: string;
      cost_fen: number | null;
      budget_min_fen: number | null;
      budget_max_fen: number | null;
      timeframe: string | null;
      trade_in: boolean | null;
      financing: boolean | null;
      province: string | null;
      city: string | null;
      preferred_store_id: string | null;
      comments: string | null;
      furthest_stage: string;
      stage_changed_at: Date | string;
      lost_reason: string | null;
      sla_reminded_at: Date | string | null;
      sla_breached_at: Date | string | null;
      assigned_at: Date | string | null;
      routing_rule_id: string | null;
      routing_rule_name: string | null;
    }
  >(
    ctx.tx,
    sql`select l.*, ${CUSTOMER} as customer_id, null as phone, s.name as source_name, o.name_zh as store_name, u.display_name as owner_name, null as skey,
               coalesce(p.merged_into, l.profile_id) as live_profile_id,
               (select lp.name from profiles lp where lp.tenant_id = l.tenant_id and lp.id = coalesce(p.merged_into, l.profile_id)) as profile_name,
               (select lp.city from profiles lp where lp.tenant_id = l.tenant_id and lp.id = coalesce(p.merged_into, l.profile_id)) as profile_city,
               (select r.name from routing_rules r where r.tenant_id = l.tenant_id and r.id = l.routing_rule_id) as routing_rule_name
        ${LIST_FROM}
        where l.tenant_id = ${t}::uuid and l.id = ${id}::uuid and ${leadInScope(ctx.auth)}`,
  );
  if (!row) throw notFound('Lead');
  row.phone = (await phonesOf(ctx, [row.customer_id])).get(row.customer_id) ?? null;
  const [assignments, inquiries, stages] = await Promise.all([
    rowsOf<{
      at: Date | string;
      store_id: string | null;
      user_id: string | null;
      user_name: string | null;
      rule_id: string | null;
      reason: string;
      actor_id: string | null;
    }>(
      ctx.tx,
      sql`select a.at, a.store_id, a.user_id, u.display_name as user_name, a.rule_id, a.reason, a.actor_id from lead_assignments a
          left join users u on u.tenant_id = a.tenant_id and u.id = a.user_id
          where a.tenant_id = ${t}::uuid and a.lead_id = ${id}::uuid order by a.at, a.id`,
    ),
    rowsOf<{
      id: string;
      at: Date | string;
      source_id: string;
      source_name: string | null;
      external_id: string | null;
      campaign: string | null;
      model: string | null;
      comments: string | null;
      created_lead: boolean;
    }>(
      ctx.tx,
      sql`select i.id, i.at, i.source_id, s.name as source_name, i.external_id, i.campaign, i.model, i.comments, i.created_lead
          from lead_inquiries i left join sources s on s.tenant_id = i.tenant_id and s.id = i.source_id
          where i.tenant_id = ${t}::uuid and i.lead_id = ${id}::uuid order by i.at, i.id`,
    ),
    rowsOf<{ at: Date | string; from_stage: string | null; to_stage: string; actor_id: string | null; reason: string | null }>(
      ctx.tx,
      sql`select at, from_stage, to_stage, actor_id, reason from lead_stage_changes
          where tenant_id = ${t}::uuid and lead_id = ${id}::uuid order by at, id`,
    ),
  ]);
  return {
    ...toItem(row),
    customer: {
      profileId: row.live_profile_id,
      name: row.profile_name ?? row.customer_name,
      phoneMasked: row.phone,
      city: row.profile_city,
    },
    vehicleCondition: row.vehicle_condition === 'used' ? 'used' : 'new',
    cost: yuan(row.cost_fen),
    budgetMin: yuan(row.budget_min_fen),
    budgetMax: yuan(row.budget_max_fen),
    timeframe: row.timeframe,
    tradeIn: row.trade_in,
    financing: row.financing,
    province: row.province,
    city: row.city,
    preferredStoreId: row.preferred_store_id,
    comments: row.comments,
    furthestStage: LeadStage.catch('new').parse(row.furthest_stage),
    stageChangedAt: iso(row.stage_changed_at)!,
    lostReason: row.lost_reason,
    slaRemindedAt: iso(row.sla_reminded_at),
    slaBreachedAt: iso(row.sla_breached_at),
    assignedAt: iso(row.assigned_at),
    routingRuleId: row.routing_rule_id,
    routingRuleName: row.routing_rule_name,
    assignments: assignments.map((a) => ({
      at: iso(a.at)!,
      storeId: a.store_id,
      userId: a.user_id,
      userName: a.user_name,
      ruleId: a.rule_id,
      reason: a.reason,
      actorId: a.actor_id,
    })),
    inquiries: inquiries.map((i) => ({
      id: i.id,
      at: iso(i.at)!,
      sourceId: i.source_id,
      sourceName: i.source_name,
      externalId: i.external_id,
      campaign: i.campaign,
      model: i.model,
      comments: i.comments,
      createdLead: i.created_lead,
    })),
    stageChanges: stages.map((s) => ({
      at: iso(s.at)!,
      fromStage: s.from_stage,
      toStage: s.to_stage,
      actorId: s.actor_id,
      reason: s.reason,
    })),
  };
}
