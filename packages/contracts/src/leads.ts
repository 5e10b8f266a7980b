import { z } from 'zod';

/** Funnel stages of DOMAIN.md, in funnel order; lost and dormant close or pause a lead from any open stage. */
export const LEAD_STAGES = [
  'new',
  'contacted',
  'appointment',
  'visited',
  'test_drive',
  'deposit',
  'order',
  'delivered',
  'lost',
  'dormant',
] as const;
export const LeadStage = z.enum(LEAD_STAGES);
export type LeadStage = z.infer<typeof LeadStage>;

/** The stages a lead moves forward through; a lead never goes back along them. */
export const FUNNEL_STAGES = [
  'new',
  'contacted',
  'appointment',
  'visited',
  'test_drive',
  'deposit',
  'order',
  'delivered',
] as const satisfies readonly LeadStage[];

export const STAGE_LABELS: Record<LeadStage, { zh: string; en: string }> = {
  new: { zh: '新线索', en: 'New' },
  contacted: { zh: '已联系', en: 'Contacted' },
  appointment: { zh: '已邀约', en: 'Appointment' },
  visited: { zh: '已到店', en: 'Visited' },
  test_drive: { zh: '已试驾', en: 'Test drive' },
  deposit: { zh: '小定', en: 'Deposit' },
  order: { zh: '大定', en: 'Order' },
  delivered: { zh: '已交车', en: 'Delivered' },
  lost: { zh: '战败', en: 'Lost' },
  dormant: { zh: '休眠', en: 'Dormant' },
};

/** Lost (战败) reason codes. `subjective` ones count in the subjective lost rate (主观战败): the store could have acted. */
export const LOST_REASONS = [
  'price',
  'bought_competitor',
  'financing_declined',
  'no_response',
  'bought_elsewhere',
  'postponed',
  'invalid',
  'service',
  'other',
] as const;
export const LostReason = z.enum(LOST_REASONS);
export type LostReason = z.infer<typeof LostReason>;
export const SUBJECTIVE_LOST_REASONS: readonly LostReason[] = ['price', 'no_response', 'bought_elsewhere', 'service'];

/** How a lead came in. */
export const LeadIntake = z.enum(['api', 'adf', 'email', 'mapped_json', 'walk_in', 'phone_in', 'import']);
export type LeadIntake = z.infer<typeof LeadIntake>;

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * One lead as every intake channel produces it (JSON API, ADF, e-mail, mapped JSON, console form,
 * CSV import). At least one contact (phone, email, WeChat or WeCom id) is required; the use case
 * says which is missing. Money is in yuan here and stored in fen.
 */
export const LeadInput = z.object({
  externalId: text(200).optional(),
  customer: z.object({
    name: text(100).optional(),
    phone: text(40).optional(),
    email: text(200).optional(),
    wechatUnionid: text(100).optional(),
    wecomExternalUserid: text(100).optional(),
    gender: z.enum(['male', 'female']).optional(),
    province: text(40).optional(),
    city: text(40).optional(),
    address: text(300).optional(),
  }),
  campaign: text(200).optional(),
  /** Cost of this one lead in yuan; when absent it is derived from the campaign's spend. */
  cost: z.number().nonnegative().max(100_000).optional(),
  vehicle: z
    .object({
      brand: text(60).optional(),
      series: text(60).optional(),
      model: text(120).optional(),
      trim: text(120).optional(),
      year: z.number().int().min(1950).max(2100).optional(),
      condition: z.enum(['new', 'used']).default('new'),
      vin: text(17).optional(),
    })
    .default({ condition: 'new' }),
  budget: z.object({ min: z.number().nonnegative().optional(), max: z.number().nonnegative().optional() }).optional(),
  /** Free text as given ("within 1 month", "3个月内"). */
  timeframe: text(100).optional(),
  tradeIn: z.boolean().optional(),
  financing: z.boolean().optional(),
  preferredStoreCode: text(60).optional(),
  comments: text(2000).optional(),
  priority: z.enum(['normal', 'high']).default('normal'),
  /** When the customer asked, if the sender says; defaults to arrival time. */
  requestedAt: z.iso.datetime({ offset: true }).optional(),
});
export type LeadInput = z.infer<typeof LeadInput>;

/** What a parser could not read in a payload it otherwise accepted (tolerant intake: ADF, e-mail, mapped JSON). */
export const IntakeProblem = z.object({
  /** Which prospect / record of the document, 0-based. */
  index: z.number().int().nonnegative(),
  /** Where: an element path (`prospect/customer/contact/phone`) or a field name. */
  path: z.string(),
  message: z.string(),
});
export type IntakeProblem = z.infer<typeof IntakeProblem>;

// ---- Lead settings (intake, duplicate leads, first-contact SLA): per tenant, edited on the console ----

/** Per-tenant rules of the sales pipeline. Stored in lead_settings; anything missing takes the default. */
export const LeadSettings = z.object({
  /** An arrival of a customer who has an open lead (at the same store) inquired within this many days becomes an inquiry on it. 0: never. */
  duplicateWindowDays: z.number().int().min(0).max(365).default(30),
  /** separate: a lead for another store is a new lead there; merge_into_open: it joins the customer's open lead wherever it is. */
  crossStore: z.enum(['separate', 'merge_into_open']).default('separate'),
  /** First-contact deadline in business minutes of the store. */
  sla: z
    .object({
      defaultMinutes: z.number().int().min(1).max(10_080).default(30),
      /** Per source id: replaces the default for that source. */
      bySource: z.record(z.string().uuid(), z.number().int().min(1).max(10_080)).default({}),
      /** Per priority: a lead of that priority is due at the latest after this many minutes, whatever its source. */
      byPriority: z
        .object({ normal: z.number().int().min(1).max(10_080).optional(), high: z.number().int().min(1).max(10_080).optional() })
        .default({}),
    })
    .default({ defaultMinutes: 30, bySource: {}, byPriority: {} }),
  /** The owner is reminded this many minutes before the deadline (0: no reminder). */
  reminderMinutesBefore: z.number().int().min(0).max(1440).default(10),
  /** On a breach, give the lead to the next consultant by the store's strategy. */
  reassignOnBreach: z.boolean().default(false),
  /** An open lead with no activity for this many days goes dormant. */
  dormantDays: z.number().int().min(1).max(365).default(30),
  /**
   * Spend per campaign name, for the cost of leads that arrive without one: spendYuan ÷ leads when
   * `leads` (the number of leads the spend buys) is given, else ÷ the campaign's leads so far.
   */
  campaignSpend: z
    .record(
      z.string().trim().min(1).max(200),
      z.object({ spendYuan: z.number().nonnegative().max(1e9), leads: z.number().int().positive().optional() }),
    )
    .default({}),
});
export type LeadSettings = z.infer<typeof LeadSettings>;

/** The lead settings as the console edits them: the current values, their version (0: never saved) and the defaults. */
export const LeadSettingsView = z.object({
  settings: LeadSettings,
  defaults: LeadSettings,
  version: z.number().int(),
  updatedAt: z.string().nullable(),
});
export type LeadSettingsView = z.infer<typeof LeadSettingsView>;

export const SaveLeadSettings = z.object({
  /** The version the editor started from; a newer one on the server answers 409. */
  version: z.number().int().min(0),
  settings: LeadSettings,
});
export type SaveLeadSettings = z.infer<typeof SaveLeadSettings>;

// ---- Lead field mapping: how a lead platform's own JSON (汽车之家, 懂车帝, 易车 …) becomes a LeadInput ----

/**
 * The LeadInput leaves a mapping can fill. `budget` is the one extra: a text like "10-15万" or "25.5万"
 * that fills budget.min and budget.max together.
 */
export const LEAD_FIELDS = [
  'externalId',
  'customer.name',
  'customer.phone',
  'customer.email',
  'customer.wechatUnionid',
  'customer.wecomExternalUserid',
  'customer.gender',
  'customer.province',
  'customer.city',
  'customer.address',
  'campaign',
  'cost',
  'vehicle.brand',
  'vehicle.series',
  'vehicle.model',
  'vehicle.trim',
  'vehicle.year',
  'vehicle.condition',
  'vehicle.vin',
  'budget',
  'budget.min',
  'budget.max',
  'timeframe',
  'tradeIn',
  'financing',
  'preferredStoreCode',
  'comments',
  'priority',
  'requestedAt',
] as const;
export const LeadField = z.enum(LEAD_FIELDS);
export type LeadField = z.infer<typeof LeadField>;

/** A JSON path: dot-separated keys with optional array indexes, `data.list`, `clues[0].phone`, `[0].id`. */
export const JsonPath = z
  .string()
  .trim()
  .max(200)
  .regex(/^(\[\d+\]|[^.[\]\s]+)(\.[^.[\]\s]+|\[\d+\])*$/, 'expected a JSON path like "user.mobile" or "clues[0].phone"');

/** Per-source mapping of a lead platform's JSON body to LeadInput fields. */
export const LeadFieldMapping = z.object({
  /** Path to the array of leads (`data.list`); absent: the body is one lead, or an array of leads. */
  records: JsonPath.optional(),
  /** For each lead field, where it is in one record. Fields without a path are left empty. */
  fields: z.partialRecord(LeadField, JsonPath),
  /** The platform's own codes → ours (`{"1": "new", "2": "used"}`); keys are compared trimmed and case-insensitively. */
  values: z
    .object({
      condition: z.record(z.string(), z.enum(['new', 'used'])).optional(),
      gender: z.record(z.string(), z.enum(['male', 'female'])).optional(),
      priority: z.record(z.string(), z.enum(['normal', 'high'])).optional(),
      tradeIn: z.record(z.string(), z.boolean()).optional(),
      financing: z.record(z.string(), z.boolean()).optional(),
    })
    .optional(),
  /** Plain budget numbers are yuan unless this says 万 (wan: ten thousand yuan); "25万" is 万 either way. Cost is always yuan. */
  budgetUnit: z.enum(['yuan', 'wan']).optional(),
});
export type LeadFieldMapping = z.infer<typeof LeadFieldMapping>;
