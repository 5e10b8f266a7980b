import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy } from '../../platform/tenant-policy.js';
import { tenants } from '../org/schema.js';

/** Where each trait value came from: the source and the time it was seen. */
export type TraitSources = Record<string, { sourceId: string | null; at: string }>;

/** One person (One ID). A merged-away profile keeps its row with `mergedInto` set, so an unmerge can restore it. */
export const profiles = pgTable(
  'profiles',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    id: uuid('id').notNull(),
    mergedInto: uuid('merged_into'),
    /** Names stay searchable in plain text (DESIGN.md); phones and emails never are. */
    name: text('name'),
    namePinyin: text('name_pinyin'),
    nameInitials: text('name_initials'),
    traits: jsonb('traits')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    traitSources: jsonb('trait_sources')
      .$type<TraitSources>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    lifecycleStage: text('lifecycle_stage').notNull().default('prospect'),
    ownerOrgUnitId: uuid('owner_org_unit_id'),
    ownerUserId: uuid('owner_user_id'),
    city: text('city'),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('profiles_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    index('profiles_name_idx').on(t.tenantId, t.name.op('text_pattern_ops')),
    index('profiles_pinyin_idx').on(t.tenantId, t.namePinyin.op('text_pattern_ops')),
    index('profiles_initials_idx').on(t.tenantId, t.nameInitials),
    // "A consultant's own customers": most profiles (imported, tracked) have no owner and need no entry.
    index('profiles_owner_idx')
      .on(t.tenantId, t.ownerUserId)
      .where(sql`owner_user_id is not null`),
    // "Which profiles were merged into this one" (lead intake, reads that follow a merge): few rows, never a scan.
    index('profiles_merged_into_idx')
      .on(t.tenantId, t.mergedInto)
      .where(sql`merged_into is not null`),
    tenantPolicy(t.tenantId),
  ],
);

/** The org units whose work a profile is part of (a source of the store, a lead, a consultant): the data scope. */
export const profileUnits = pgTable(
  'profile_units',
  {
    tenantId: uuid('tenant_id').notNull(),
    profileId: uuid('profile_id').notNull(),
    orgUnitId: uuid('org_unit_id').notNull(),
    /** The unit's org path, copied so a subtree filter is one prefix scan. */
    path: text('path').notNull(),
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.profileId, t.orgUnitId] }),
    index('profile_units_path_idx').on(t.tenantId, t.path.op('text_pattern_ops'), t.profileId),
    tenantPolicy(t.tenantId),
  ],
);

/**
 * Everything that happened to a person. Partitioned by month on `timestamp` (the migration adds
 * PARTITION BY; drizzle-kit does not model it). Uniqueness of message ids lives in `message_ids`.
 */
export const events = pgTable(
  'events',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    timestamp: timestamp('timestamp', { withTimezone: true }).notNull(),
    profileId: uuid('profile_id').notNull(),
    /** The profile the event resolved to when it arrived; an unmerge sends it back there. */
    originProfileId: uuid('origin_profile_id').notNull(),
    sourceId: uuid('source_id'),
    messageId: text('message_id').notNull(),
    type: text('type').notNull(),
    name: text('name'),
    originalTimestamp: timestamp('original_timestamp', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    properties: jsonb('properties')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    context: jsonb('context')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id, t.timestamp] }),
    index('events_profile_idx').on(t.tenantId, t.profileId, t.timestamp, t.id),
    index('events_origin_idx').on(t.tenantId, t.originProfileId),
    index('events_source_idx').on(t.tenantId, t.sourceId, t.receivedAt),
    tenantPolicy(t.tenantId),
  ],
);

/** The consent ledger (PIPL): every grant and withdrawal, never updated. The latest per purpose and channel holds. */
export const consents = pgTable(
  'consents',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    profileId: uuid('profile_id').notNull(),
    /** The profile the consent was recorded on (set by a trigger); an unmerge sends it back there. */
    originProfileId: uuid('origin_profile_id'),
    purpose: text('purpose').notNull(),
    channel: text('channel').notNull(),
    granted: boolean('granted').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    sourceId: uuid('source_id'),
    actorId: uuid('actor_id'),
    evidence: jsonb('evidence')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('consents_profile_idx').on(t.tenantId, t.profileId, t.purpose, t.channel, t.at),
    tenantPolicy(t.tenantId),
  ],
);

/** Vehicles linked to a profile by VIN: an owner link, never a reason to merge (a car changes hands). */
export const profileVehicles = pgTable(
  'profile_vehicles',
  {
    tenantId: uuid('tenant_id').notNull(),
    profileId: uuid('profile_id').notNull(),
    vin: text('vin').notNull(),
    sourceId: uuid('source_id'),
    since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.profileId, t.vin] }),
    index('profile_vehicles_vin_idx').on(t.tenantId, t.vin),
    tenantPolicy(t.tenantId),
  ],
);

/** Per-tenant customer-data settings (identity rules, survivorship, visibility), validated by CdpSettings. */
export const cdpSettings = pgTable(
  'cdp_settings',
  {
    tenantId: uuid('tenant_id').notNull().primaryKey(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [tenantPolicy(t.tenantId)],
);
