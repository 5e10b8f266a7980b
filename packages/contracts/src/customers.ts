import { z } from 'zod';

/** Channels a source can stand for. */
export const SourceKind = z.enum(['website', 'app', 'mini_program', 'dms', 'call_center', 'wecom', 'lead_platform', 'import', 'other']);
export type SourceKind = z.infer<typeof SourceKind>;

/** Identifier types of One ID, strongest first. */
export const IdentityType = z.enum([
  'phone',
  'wechat_unionid',
  'wecom_external_userid',
  'wechat_openid',
  'email',
  'national_id',
  'user_id',
  'anonymous_id',
]);
export type IdentityType = z.infer<typeof IdentityType>;

export const ConsentPurpose = z.enum(['marketing', 'service', 'analytics']);
export const ConsentChannel = z.enum(['sms', 'phone', 'wecom', 'email']);
export type ConsentPurpose = z.infer<typeof ConsentPurpose>;
export type ConsentChannel = z.infer<typeof ConsentChannel>;

export const LifecycleStage = z.enum(['prospect', 'lead', 'customer', 'owner', 'lost', 'dormant']);
export type LifecycleStage = z.infer<typeof LifecycleStage>;

export const Source = z.object({
  id: z.string(),
  name: z.string(),
  kind: SourceKind,
  orgUnitId: z.string().nullable(),
  orgUnitName: z.string().nullable(),
  active: z.boolean(),
  keyPrefixes: z.array(z.object({ prefix: z.string(), expiresAt: z.string().nullable(), lastUsedAt: z.string().nullable() })),
  counters: z.record(z.string(), z.number()),
  createdAt: z.string(),
  version: z.number(),
});
export type Source = z.infer<typeof Source>;

export const CreateSource = z.object({
  name: z.string().trim().min(1).max(80),
  kind: SourceKind,
  orgUnitId: z.string().uuid().nullable().optional(),
});
export type CreateSource = z.infer<typeof CreateSource>;

/** A write key is shown once, when it is created or rotated. */
export const SourceWithKey = z.object({ source: Source, writeKey: z.string() });

export const DebuggerEntry = z.object({
  at: z.string(),
  status: z.enum(['accepted', 'pending', 'rejected']),
  type: z.string().nullable(),
  name: z.string().nullable(),
  messageId: z.string().nullable(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  payload: z.unknown(),
});
export type DebuggerEntry = z.infer<typeof DebuggerEntry>;

export const IdentityView = z.object({
  type: z.string(),
  masked: z.string(),
  /** Present only on a reveal. */
  value: z.string().optional(),
  sourceId: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});

export const CustomerListItem = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phoneMasked: z.string().nullable(),
  city: z.string().nullable(),
  tags: z.array(z.string()),
  lifecycleStage: z.string(),
  lastSeenAt: z.string(),
  updatedAt: z.string(),
});
export type CustomerListItem = z.infer<typeof CustomerListItem>;

export const CustomerQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional(),
  /** Name (also pinyin and initials), full phone, last 4 digits, email, WeChat id or VIN. */
  q: z.string().trim().max(100).optional(),
  tag: z.string().trim().max(50).optional(),
  stage: LifecycleStage.optional(),
  city: z.string().trim().max(50).optional(),
  /** Profiles linked to this org unit's subtree (its leads, its consultants) or owned there. */
  store: z.string().uuid().optional(),
  /** Seen (any event) within this many days. */
  seenWithinDays: z.coerce.number().int().min(1).max(3650).optional(),
});
export type CustomerQuery = z.infer<typeof CustomerQuery>;

export const ConsentState = z.object({
  purpose: ConsentPurpose,
  channel: ConsentChannel,
  granted: z.boolean(),
  at: z.string(),
  sourceId: z.string().nullable(),
  evidence: z.record(z.string(), z.unknown()),
});

export const MergeView = z.object({
  id: z.string(),
  survivorId: z.string(),
  absorbedId: z.string(),
  absorbedName: z.string().nullable(),
  at: z.string(),
  reason: z.string(),
  unmergedAt: z.string().nullable(),
});

export const Customer = z.object({
  id: z.string(),
  name: z.string().nullable(),
  lifecycleStage: z.string(),
  tags: z.array(z.string()),
  city: z.string().nullable(),
  ownerOrgUnitId: z.string().nullable(),
  ownerOrgUnitName: z.string().nullable(),
  ownerUserId: z.string().nullable(),
  ownerUserName: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  identities: z.array(IdentityView),
  traits: z.array(
    z.object({
      key: z.string(),
      value: z.unknown(),
      sourceId: z.string().nullable(),
      sourceName: z.string().nullable(),
      at: z.string().nullable(),
    }),
  ),
  vehicles: z.array(z.object({ vin: z.string(), since: z.string() })),
  consents: z.array(ConsentState),
  merges: z.array(MergeView),
  version: z.number(),
});
export type Customer = z.infer<typeof Customer>;

export const UpdateCustomer = z.object({
  version: z.number().int(),
  tags: z.array(z.string().trim().min(1).max(30)).max(50).optional(),
  lifecycleStage: LifecycleStage.optional(),
  ownerUserId: z.string().uuid().nullable().optional(),
});

export const RecordConsent = z.object({
  purpose: ConsentPurpose,
  channel: ConsentChannel,
  granted: z.boolean(),
  evidence: z.string().trim().min(1).max(500),
});
export type RecordConsent = z.infer<typeof RecordConsent>;

export const TimelineEntry = z.object({
  id: z.string(),
  at: z.string(),
  type: z.string(),
  name: z.string().nullable(),
  sourceId: z.string().nullable(),
  sourceName: z.string().nullable(),
  properties: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const TimelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional(),
  type: z.string().trim().max(30).optional(),
  sourceId: z.string().uuid().optional(),
});

/** The filters of the customer list that a saved view can hold. */
export const CustomerFilters = CustomerQuery.omit({ limit: true, cursor: true });
export type CustomerFilters = z.infer<typeof CustomerFilters>;
