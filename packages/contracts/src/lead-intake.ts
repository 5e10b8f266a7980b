import { z } from 'zod';
import { IntakeProblem, LeadFieldMapping, LeadInput, LeadStage } from './leads.js';

// ---- Intake ----

/** POST /api/leads: one lead entered by a person or a server (walk-in, phone-in, API). */
export const CreateLeadBody = LeadInput.extend({
  /** The source the lead came through; or `sourceCode` (settings.code of a source, else its exact name). */
  sourceId: z.string().uuid().optional(),
  sourceCode: z.string().trim().min(1).max(80).optional(),
  intake: z.enum(['api', 'walk_in', 'phone_in']).default('api'),
});
export type CreateLeadBody = z.infer<typeof CreateLeadBody>;

/** created: a new lead; inquiry: a repeat arrival recorded on the customer's open lead; duplicate: the same payload again. */
export const IntakeStatus = z.enum(['created', 'inquiry', 'duplicate']);
export type IntakeStatus = z.infer<typeof IntakeStatus>;

export const IntakeResultItem = z.object({
  /** Which lead of the request (0-based). */
  index: z.number().int().nonnegative(),
  leadId: z.string(),
  status: IntakeStatus,
  storeId: z.string().nullable(),
  ownerUserId: z.string().nullable(),
});
export type IntakeResultItem = z.infer<typeof IntakeResultItem>;

/** Every intake endpoint answers with one result per accepted lead and the problems of the ones it could not take. */
export const IntakeResult = z.object({ results: z.array(IntakeResultItem), problems: z.array(IntakeProblem) });
export type IntakeResult = z.infer<typeof IntakeResult>;

// ---- Routing rules ----

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:mm');

/** What a lead must have for a rule to take it; an absent condition matches everything. Lists match any of their values. */
export const RoutingConditions = z.object({
  sourceIds: z.array(z.string().uuid()).max(100).optional(),
  provinces: z.array(z.string().trim().min(1).max(40)).max(100).optional(),
  cities: z.array(z.string().trim().min(1).max(40)).max(200).optional(),
  brands: z.array(z.string().trim().min(1).max(60)).max(100).optional(),
  series: z.array(z.string().trim().min(1).max(60)).max(100).optional(),
  condition: z.enum(['new', 'used']).optional(),
  /** Arrival time of day in the tenant's time zone; `to` before `from` spans midnight. */
  hours: z.object({ from: HHMM, to: HHMM }).optional(),
});
export type RoutingConditions = z.infer<typeof RoutingConditions>;

/** round_robin among on-duty consultants; fewest_open leads; claim_pool (抢单) with a timeout that falls back to round robin. */
export const RoutingStrategy = z.enum(['round_robin', 'fewest_open', 'claim_pool']);
export type RoutingStrategy = z.infer<typeof RoutingStrategy>;

export const RoutingRule = z.object({
  id: z.string(),
  position: z.number().int(),
  name: z.string(),
  active: z.boolean(),
  conditions: RoutingConditions,
  /** Null: the lead's preferred store, else the source's store. */
  storeId: z.string().nullable(),
  storeName: z.string().nullable(),
  strategy: RoutingStrategy,
  claimTimeoutMinutes: z.number().int(),
  version: z.number().int(),
  updatedAt: z.string(),
});
export type RoutingRule = z.infer<typeof RoutingRule>;

export const CreateRoutingRule = z.object({
  name: z.string().trim().min(1).max(80),
  active: z.boolean().default(true),
  conditions: RoutingConditions.default({}),
  storeId: z.string().uuid().nullable().default(null),
  strategy: RoutingStrategy.default('round_robin'),
  claimTimeoutMinutes: z.number().int().min(1).max(1440).default(10),
});
export type CreateRoutingRule = z.infer<typeof CreateRoutingRule>;

export const UpdateRoutingRule = CreateRoutingRule.extend({ version: z.number().int() });
export type UpdateRoutingRule = z.infer<typeof UpdateRoutingRule>;

/** The new order of all rules, first first. */
export const ReorderRoutingRules = z.object({ ids: z.array(z.string().uuid()).min(1).max(500) });

/** "Try this lead": which rule, store and consultant a lead would get now, without writing anything. */
export const RoutingPreviewInput = z.object({ sourceId: z.string().uuid(), lead: LeadInput });
export type RoutingPreviewInput = z.infer<typeof RoutingPreviewInput>;

export const RoutingPreview = z.object({
  rule: z.object({ id: z.string(), name: z.string() }).nullable(),
  store: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** How the store was found: rule, preferred_store, source_store, none. */
  storeReason: z.enum(['rule', 'preferred_store', 'source_store', 'none']),
  strategy: RoutingStrategy.nullable(),
  consultant: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** returning_customer | round_robin | fewest_open | claim_pool | nobody_eligible | unrouted */
  reason: z.string(),
  /** An open lead of the same customer the arrival would join as an inquiry. */
  inquiryOn: z.string().nullable(),
});
export type RoutingPreview = z.infer<typeof RoutingPreview>;

// ---- Lead list, detail, assignment ----

export const SlaState = z.enum(['pending', 'met', 'breached']);
export type SlaState = z.infer<typeof SlaState>;

export const LeadQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional(),
  stage: LeadStage.optional(),
  /** Leads of this org unit's subtree (a store, a group, a region). */
  store: z.string().uuid().optional(),
  owner: z.union([z.literal('me'), z.string().uuid()]).optional(),
  source: z.string().uuid().optional(),
  sla: SlaState.optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  /** Customer name (prefix). */
  q: z.string().trim().max(100).optional(),
  /** Only leads nobody owns: unrouted, in a claim pool, or waiting for a consultant. */
  unassigned: z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]).optional(),
  /** newest: created, newest first; due: first-contact deadline, soonest first (pending SLA only). */
  sort: z.enum(['newest', 'due']).default('newest'),
});
export type LeadQuery = z.infer<typeof LeadQuery>;

/** The filters of the lead list that a saved view can hold (the sort is kept only when chosen). */
export const LeadFilters = LeadQuery.omit({ limit: true, cursor: true, sort: true }).extend({ sort: z.enum(['newest', 'due']).optional() });
export type LeadFilters = z.infer<typeof LeadFilters>;

export const LeadListItem = z.object({
  id: z.string(),
  profileId: z.string(),
  customerName: z.string().nullable(),
  phoneMasked: z.string().nullable(),
  stage: LeadStage,
  sourceId: z.string(),
  sourceName: z.string().nullable(),
  intake: z.string(),
  campaign: z.string().nullable(),
  brand: z.string().nullable(),
  series: z.string().nullable(),
  model: z.string().nullable(),
  storeId: z.string().nullable(),
  storeName: z.string().nullable(),
  ownerUserId: z.string().nullable(),
  ownerName: z.string().nullable(),
  priority: z.enum(['normal', 'high']),
  slaState: SlaState,
  firstContactDueAt: z.string().nullable(),
  firstContactAt: z.string().nullable(),
  claimUntil: z.string().nullable(),
  inquiryCount: z.number().int(),
  lastInquiryAt: z.string(),
  createdAt: z.string(),
  version: z.number().int(),
});
export type LeadListItem = z.infer<typeof LeadListItem>;

export const LeadDetail = LeadListItem.extend({
  customer: z.object({
    profileId: z.string(),
    name: z.string().nullable(),
    phoneMasked: z.string().nullable(),
    city: z.string().nullable(),
  }),
  vehicleCondition: z.enum(['new', 'used']),
  /** Yuan. */
  cost: z.number().nullable(),
  budgetMin: z.number().nullable(),
  budgetMax: z.number().nullable(),
  timeframe: z.string().nullable(),
  tradeIn: z.boolean().nullable(),
  financing: z.boolean().nullable(),
  province: z.string().nullable(),
  city: z.string().nullable(),
  preferredStoreId: z.string().nullable(),
  comments: z.string().nullable(),
  furthestStage: LeadStage,
  stageChangedAt: z.string(),
  lostReason: z.string().nullable(),
  slaRemindedAt: z.string().nullable(),
  slaBreachedAt: z.string().nullable(),
  assignedAt: z.string().nullable(),
  routingRuleId: z.string().nullable(),
  routingRuleName: z.string().nullable(),
  assignments: z.array(
    z.object({
      at: z.string(),
      storeId: z.string().nullable(),
      userId: z.string().nullable(),
      userName: z.string().nullable(),
      ruleId: z.string().nullable(),
      reason: z.string(),
      actorId: z.string().nullable(),
    }),
  ),
  inquiries: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      sourceId: z.string(),
      sourceName: z.string().nullable(),
      externalId: z.string().nullable(),
      campaign: z.string().nullable(),
      model: z.string().nullable(),
      comments: z.string().nullable(),
      createdLead: z.boolean(),
    }),
  ),
  stageChanges: z.array(
    z.object({
      at: z.string(),
      fromStage: z.string().nullable(),
      toStage: z.string(),
      actorId: z.string().nullable(),
      reason: z.string().nullable(),
    }),
  ),
});
export type LeadDetail = z.infer<typeof LeadDetail>;

/** Give a lead to a consultant (optimistic: the lead's version as loaded). */
export const AssignLead = z.object({ userId: z.string().uuid(), version: z.number().int() });
export type AssignLead = z.infer<typeof AssignLead>;

export const BulkReassign = z.object({ leadIds: z.array(z.string().uuid()).min(1).max(500), userId: z.string().uuid() });
export type BulkReassign = z.infer<typeof BulkReassign>;

export const BulkReassignResult = z.object({
  reassigned: z.array(z.string()),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type BulkReassignResult = z.infer<typeof BulkReassignResult>;

// ---- CSV / XLSX lead import ----

/** A lead file's outcome: one result per lead that went in, one problem per cell or row that did not, by file line. */
export const LeadFileImportResult = z.object({
  rows: z.number().int(),
  created: z.number().int(),
  inquiries: z.number().int(),
  duplicates: z.number().int(),
  /** Which column filled which lead field (suggested from the header row). */
  mapping: z.record(z.string(), z.string()),
  results: z.array(z.object({ line: z.number().int(), leadId: z.string(), status: IntakeStatus })),
  problems: z.array(z.object({ line: z.number().int(), path: z.string(), message: z.string() })),
});
export type LeadFileImportResult = z.infer<typeof LeadFileImportResult>;

// ---- A lead platform's field mapping, set per source in the console ----

export const SourceLeadMapping = z.object({ mapping: LeadFieldMapping.nullable() });
export type SourceLeadMapping = z.infer<typeof SourceLeadMapping>;

/** Try a mapping on a sample body before saving it: the leads it would read and what it could not. */
export const LeadMappingPreviewRequest = z.object({ mapping: LeadFieldMapping, sample: z.unknown() });
export const LeadMappingPreview = z.object({ leads: z.array(LeadInput), problems: z.array(IntakeProblem) });
export type LeadMappingPreview = z.infer<typeof LeadMappingPreview>;

// ---- Lookups for the sales console ----

/** The tenant's active sources, as lead screens need them (no keys, no counters): for filters and the new-lead form. */
export const LeadSourceOption = z.object({ id: z.string(), name: z.string(), kind: z.string() });
export type LeadSourceOption = z.infer<typeof LeadSourceOption>;

/** Open leads per person of a store: what a manager balances. */
export const TeamLoadQuery = z.object({ store: z.string().uuid() });
export const TeamLoadRow = z.object({
  userId: z.string(),
  openLeads: z.number().int(),
  newLeads: z.number().int(),
  breached: z.number().int(),
});
export type TeamLoadRow = z.infer<typeof TeamLoadRow>;
