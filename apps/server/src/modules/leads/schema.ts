import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenantPolicy } from '../../platform/tenant-policy.js';
import { tenants } from '../org/schema.js';

/*
 * The sales pipeline (issue 4). Money is in fen (1/100 RMB) as bigint-safe integers; every
 * table carries tenant_id and the tenant policy. A lead belongs to one store (its data scope,
 * with the store's org path copied for subtree scans) and to at most one consultant.
 */

/** One sales opportunity of one customer at one store. Repeat arrivals become `lead_inquiries`. */
export const leads = pgTable(
  'leads',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    id: uuid('id').notNull(),
    /** The One ID profile; follows merges like events do. */
    profileId: uuid('profile_id').notNull(),
    /** The profile the lead arrived on (set by a trigger); an unmerge sends the lead back there. */
    originProfileId: uuid('origin_profile_id'),
    sourceId: uuid('source_id').notNull(),
    /** How it came in: api, adf, email, mapped_json, walk_in, phone_in, import. */
    intake: text('intake').notNull(),
    campaign: text('campaign'),
    /** Cost of this lead in fen: given per lead, or derived from the campaign's spend. */
    costFen: integer('cost_fen'),
    /** Owning store (null while unrouted) and the store's org path, for subtree scope. */
    storeId: uuid('store_id'),
    storePath: text('store_path'),
    ownerUserId: uuid('owner_user_id'),
    /** Display name as given with the lead (plain, like profiles.name); contacts live on the profile, encrypted. */
    customerName: text('customer_name'),
    brand: text('brand'),
    series: text('series'),
    model: text('model'),
    /** new | used */
    vehicleCondition: text('vehicle_condition').notNull().default('new'),
    budgetMinFen: integer('budget_min_fen'),
    budgetMaxFen: integer('budget_max_fen'),
    timeframe: text('timeframe'),
    tradeIn: boolean('trade_in'),
    financing: boolean('financing'),
    province: text('province'),
    city: text('city'),
    preferredStoreId: uuid('preferred_store_id'),
    comments: text('comments'),
    /** normal | high */
    priority: text('priority').notNull().default('normal'),
    /** new, contacted, appointment, visited, test_drive, deposit, order, delivered, lost, dormant (DOMAIN.md). */
    stage: text('stage').notNull().default('new'),
    stageChangedAt: timestamp('stage_changed_at', { withTimezone: true }).notNull().defaultNow(),
    /** The furthest stage reached, so a lead that went dormant still counts in the funnel. */
    furthestStage: text('furthest_stage').notNull().default('new'),
    lostReason: text('lost_reason'),
    /** First-contact SLA: due time, when it was met, state pending | met | breached. */
    firstContactDueAt: timestamp('first_contact_due_at', { withTimezone: true }),
    firstContactAt: timestamp('first_contact_at', { withTimezone: true }),
    slaState: text('sla_state').notNull().default('pending'),
    slaRemindedAt: timestamp('sla_reminded_at', { withTimezone: true }),
    slaBreachedAt: timestamp('sla_breached_at', { withTimezone: true }),
    /** In the store's claim pool (抢单) until this time, then assigned by fallback. */
    claimUntil: timestamp('claim_until', { withTimezone: true }),
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    routingRuleId: uuid('routing_rule_id'),
    inquiryCount: integer('inquiry_count').notNull().default(1),
    lastInquiryAt: timestamp('last_inquiry_at', { withTimezone: true }).notNull().defaultNow(),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull().defaultNow(),
    /** AES-GCM ciphertext of the payload as received (it holds personal data). */
    rawEnc: text('raw_enc'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('leads_store_idx').on(t.tenantId, t.storePath.op('text_pattern_ops'), t.createdAt),
    index('leads_owner_idx').on(t.tenantId, t.ownerUserId, t.stage, t.createdAt),
    index('leads_profile_idx').on(t.tenantId, t.profileId),
    index('leads_created_idx').on(t.tenantId, t.createdAt, t.id),
    // Filters that keep few rows of a big tenant (a store's SLA breaches): newest first within the state.
    index('leads_sla_state_idx').on(t.tenantId, t.slaState, t.createdAt),
    index('leads_sla_idx')
      .on(t.tenantId, t.firstContactDueAt)
      .where(sql`sla_state = 'pending'`),
    index('leads_claim_idx')
      .on(t.tenantId, t.claimUntil)
      .where(sql`claim_until is not null`),
    tenantPolicy(t.tenantId),
  ],
);

/** Every arrival of a lead payload: the first creates the lead, later ones within the window are inquiries on it. */
export const leadInquiries = pgTable(
  'lead_inquiries',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    leadId: uuid('lead_id').notNull(),
    sourceId: uuid('source_id').notNull(),
    /** The sender's id of the payload; the same source and id twice is one arrival (idempotent). */
    externalId: text('external_id'),
    campaign: text('campaign'),
    costFen: integer('cost_fen'),
    model: text('model'),
    comments: text('comments'),
    /** True for the arrival that created the lead. */
    createdLead: boolean('created_lead').notNull().default(false),
    rawEnc: text('raw_enc'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('lead_inquiries_external_uq')
      .on(t.tenantId, t.sourceId, t.externalId)
      .where(sql`external_id is not null`),
    index('lead_inquiries_lead_idx').on(t.tenantId, t.leadId, t.at),
    tenantPolicy(t.tenantId),
  ],
);

/** Each stage transition with its time and who made it (funnel timing, KPIs). */
export const leadStageChanges = pgTable(
  'lead_stage_changes',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    leadId: uuid('lead_id').notNull(),
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    actorId: uuid('actor_id'),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('lead_stage_changes_lead_idx').on(t.tenantId, t.leadId, t.at),
    tenantPolicy(t.tenantId),
  ],
);

/**
 * What a person did on a lead: call (outcome connected | no_answer | busy | wrong_number, duration),
 * message (WeCom or SMS, logged by hand), visit (party size), appointment (kind visit | test_drive |
 * delivery, at `scheduledAt`, status scheduled | done | cancelled | no_show), test_drive (vehicle,
 * duration, feedback score, signed consent), note. Type-specific fields live in `details`.
 */
export const leadActivities = pgTable(
  'lead_activities',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    leadId: uuid('lead_id').notNull(),
    profileId: uuid('profile_id').notNull(),
    originProfileId: uuid('origin_profile_id'),
    type: text('type').notNull(),
    outcome: text('outcome'),
    durationSec: integer('duration_sec'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    status: text('status'),
    note: text('note'),
    details: jsonb('details')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    actorId: uuid('actor_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('lead_activities_lead_idx').on(t.tenantId, t.leadId, t.at),
    index('lead_activities_scheduled_idx')
      .on(t.tenantId, t.scheduledAt)
      .where(sql`type = 'appointment' and status = 'scheduled'`),
    tenantPolicy(t.tenantId),
  ],
);

/**
 * Work with a due time and an owner: first_contact, test_drive_callback, deposit_follow_up,
 * appointment_reminder (created by rules, `rule` names which) or custom. status open | done | cancelled.
 */
export const tasks = pgTable(
  'tasks',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    leadId: uuid('lead_id'),
    profileId: uuid('profile_id'),
    originProfileId: uuid('origin_profile_id'),
    storeId: uuid('store_id'),
    storePath: text('store_path'),
    ownerUserId: uuid('owner_user_id'),
    type: text('type').notNull(),
    title: text('title'),
    rule: text('rule'),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    status: text('status').notNull().default('open'),
    doneAt: timestamp('done_at', { withTimezone: true }),
    overdueNotifiedAt: timestamp('overdue_notified_at', { withTimezone: true }),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('tasks_owner_idx').on(t.tenantId, t.ownerUserId, t.status, t.dueAt),
    index('tasks_store_idx').on(t.tenantId, t.storePath.op('text_pattern_ops'), t.status, t.dueAt),
    index('tasks_lead_idx').on(t.tenantId, t.leadId),
    tenantPolicy(t.tenantId),
  ],
);

/**
 * 小定 (kind deposit: refundable, amount and refundable-until) and 大定 (kind order: model, trim,
 * colour, price, discount, financing, trade-in, insurance, accessories, expected delivery). An
 * order is delivered with a VIN. status active | refunded | cancelled | delivered.
 */
export const orders = pgTable(
  'orders',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    leadId: uuid('lead_id').notNull(),
    profileId: uuid('profile_id').notNull(),
    originProfileId: uuid('origin_profile_id'),
    storeId: uuid('store_id'),
    kind: text('kind').notNull(),
    status: text('status').notNull().default('active'),
    amountFen: integer('amount_fen'),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    refundableUntil: date('refundable_until'),
    model: text('model'),
    trim: text('trim'),
    colour: text('colour'),
    priceFen: integer('price_fen'),
    discountFen: integer('discount_fen'),
    /** financing, trade-in, insurance, accessories: structured but open-ended. */
    extras: jsonb('extras')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    expectedDeliveryOn: date('expected_delivery_on'),
    vin: text('vin'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closeReason: text('close_reason'),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('orders_lead_idx').on(t.tenantId, t.leadId), tenantPolicy(t.tenantId)],
);

/** 战败申请: a consultant asks to close a lead as lost with a reason code; a manager approves or rejects. */
export const lostRequests = pgTable(
  'lost_requests',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    leadId: uuid('lead_id').notNull(),
    storePath: text('store_path'),
    reason: text('reason').notNull(),
    note: text('note'),
    requestedBy: uuid('requested_by').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    /** pending | approved | rejected */
    status: text('status').notNull().default('pending'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('lost_requests_pending_idx')
      .on(t.tenantId, t.storePath.op('text_pattern_ops'))
      .where(sql`status = 'pending'`),
    uniqueIndex('lost_requests_one_pending_uq')
      .on(t.tenantId, t.leadId)
      .where(sql`status = 'pending'`),
    tenantPolicy(t.tenantId),
  ],
);

/**
 * Ordered routing rules: conditions (sources, provinces, cities, brands, series, vehicle condition,
 * hours of day) pick a store; the strategy picks the consultant inside it.
 */
export const routingRules = pgTable(
  'routing_rules',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    active: boolean('active').notNull().default(true),
    conditions: jsonb('conditions')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** Null: the lead's preferred store, or the store matched by city. */
    storeId: uuid('store_id'),
    /** round_robin | fewest_open | claim_pool */
    strategy: text('strategy').notNull().default('round_robin'),
    claimTimeoutMinutes: smallint('claim_timeout_minutes').notNull().default(10),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), tenantPolicy(t.tenantId)],
);

/** Every assignment of a lead with the rule (or person) that made it. */
export const leadAssignments = pgTable(
  'lead_assignments',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    leadId: uuid('lead_id').notNull(),
    storeId: uuid('store_id'),
    userId: uuid('user_id'),
    ruleId: uuid('rule_id'),
    /** rule | returning_customer | round_robin | fewest_open | claim | claim_timeout | manual | sla_breach */
    reason: text('reason').notNull(),
    actorId: uuid('actor_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('lead_assignments_lead_idx').on(t.tenantId, t.leadId, t.at),
    tenantPolicy(t.tenantId),
  ],
);

/** Round-robin position per store: the consultant who got the last lead. */
export const routingCursors = pgTable(
  'routing_cursors',
  {
    tenantId: uuid('tenant_id').notNull(),
    storeId: uuid('store_id').notNull(),
    lastUserId: uuid('last_user_id'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.storeId] }), tenantPolicy(t.tenantId)],
);

/** Leave (请假) and days off: a consultant on leave gets no new leads. */
export const userLeave = pgTable(
  'user_leave',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    userId: uuid('user_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    note: text('note'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('user_leave_user_idx').on(t.tenantId, t.userId, t.endsAt),
    tenantPolicy(t.tenantId),
  ],
);

/**
 * Per-tenant pipeline settings, validated by LeadSettings in contracts: duplicate-lead window and
 * cross-store policy, first-contact SLA per source and priority, dormancy, auto-reassign on breach.
 */
export const leadSettings = pgTable(
  'lead_settings',
  {
    tenantId: uuid('tenant_id').notNull().primaryKey(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [tenantPolicy(t.tenantId)],
);
