import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy } from '../../platform/tenant-policy.js';

/**
 * An identifier of a person, found by its keyed blind index (`key`), never by its value.
 * One identity belongs to one profile; the value is kept encrypted for display and export.
 */
export const identities = pgTable(
  'identities',
  {
    tenantId: uuid('tenant_id').notNull(),
    type: text('type').notNull(),
    key: text('key').notNull(),
    profileId: uuid('profile_id').notNull(),
    /** The profile that brought this identity; an unmerge gives it back. */
    originProfileId: uuid('origin_profile_id').notNull(),
    valueEnc: text('value_enc').notNull(),
    /** What screens show: 138****8000, z***@example.com. */
    masked: text('masked').notNull(),
    /** Last four digits of a phone, for the "last 4" search within the caller's scope. */
    last4: text('last4'),
    sourceId: uuid('source_id'),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.type, t.key] }),
    index('identities_profile_idx').on(t.tenantId, t.profileId),
    // Last-4 search is for phones; the other types have no last4 and need no entry (an import writes fewer).
    index('identities_last4_idx')
      .on(t.tenantId, t.last4)
      .where(sql`last4 is not null`),
    tenantPolicy(t.tenantId),
  ],
);

/**
 * Values that no longer link anyone: a store's front-desk phone typed in for many walk-ins, or one a
 * reviewer marked as shared. They are ignored by resolution from then on.
 */
export const sharedIdentities = pgTable(
  'shared_identities',
  {
    tenantId: uuid('tenant_id').notNull(),
    type: text('type').notNull(),
    key: text('key').notNull(),
    masked: text('masked').notNull(),
    conflicts: integer('conflicts').notNull().default(0),
    blocked: boolean('blocked').notNull().default(false),
    reason: text('reason').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.type, t.key] }), tenantPolicy(t.tenantId)],
);

/** A merge of `absorbedId` into `survivorId`, with a snapshot of both sides so it can be undone. */
export const merges = pgTable(
  'merges',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    survivorId: uuid('survivor_id').notNull(),
    absorbedId: uuid('absorbed_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** `identity:<type>` for an automatic merge, `manual`, or `duplicate_review`. */
    reason: text('reason').notNull(),
    actorId: uuid('actor_id'),
    snapshot: jsonb('snapshot').$type<MergeSnapshot>().notNull(),
    unmergedAt: timestamp('unmerged_at', { withTimezone: true }),
    unmergedBy: uuid('unmerged_by'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('merges_survivor_idx').on(t.tenantId, t.survivorId),
    index('merges_absorbed_idx').on(t.tenantId, t.absorbedId),
    tenantPolicy(t.tenantId),
  ],
);

export interface ProfileSnapshot {
  id: string;
  name: string | null;
  traits: Record<string, unknown>;
  traitSources: Record<string, unknown>;
  tags: string[];
  lifecycleStage: string;
  ownerOrgUnitId: string | null;
  ownerUserId: string | null;
  identities: Array<{ type: string; key: string; masked: string }>;
}
export interface MergeSnapshot {
  survivor: ProfileSnapshot;
  absorbed: ProfileSnapshot;
}

/** Links the resolver refused to make on its own: too many profiles, or a second value of a once-only type. */
export const identityReviews = pgTable(
  'identity_reviews',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    identityType: text('identity_type').notNull(),
    identityKey: text('identity_key').notNull(),
    masked: text('masked').notNull(),
    profileIds: uuid('profile_ids').array().notNull(),
    reason: text('reason').notNull(),
    status: text('status').notNull().default('open'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('identity_reviews_open_idx').on(t.tenantId, t.status, t.createdAt),
    tenantPolicy(t.tenantId),
  ],
);

/** Blocking keys of each profile for the probable-duplicate job (pinyin of the name, phone with a digit wildcarded, …). */
export const profileBlockingKeys = pgTable(
  'profile_blocking_keys',
  {
    tenantId: uuid('tenant_id').notNull(),
    key: text('key').notNull(),
    profileId: uuid('profile_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.key, t.profileId] }),
    index('profile_blocking_keys_profile_idx').on(t.tenantId, t.profileId),
    tenantPolicy(t.tenantId),
  ],
);

/** A pair the duplicate job thinks may be one person; `profileA` < `profileB`. Decisions are kept forever. */
export const duplicatePairs = pgTable(
  'duplicate_pairs',
  {
    tenantId: uuid('tenant_id').notNull(),
    profileA: uuid('profile_a').notNull(),
    profileB: uuid('profile_b').notNull(),
    score: real('score').notNull(),
    reasons: text('reasons').array().notNull(),
    status: text('status').notNull().default('open'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.profileA, t.profileB] }),
    index('duplicate_pairs_open_idx').on(t.tenantId, t.status, t.score),
    tenantPolicy(t.tenantId),
  ],
);
