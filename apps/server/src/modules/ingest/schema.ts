import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy } from '../../platform/tenant-policy.js';
import { tenants } from '../org/schema.js';

/** One source per channel (website, app, DMS, …); events and imports arrive through a source. */
export const sources = pgTable(
  'sources',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    /** The store (or region) whose work this source is: its profiles become visible there. Null: tenant-wide. */
    orgUnitId: uuid('org_unit_id'),
    settings: jsonb('settings')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), tenantPolicy(t.tenantId)],
);

/**
 * Write keys, found by sha256(key) before the tenant is known (like API keys, decision 003).
 * A rotated key keeps working until `expiresAt` so deployed trackers can be updated.
 */
export const sourceKeys = pgTable(
  'source_keys',
  {
    keyHash: text('key_hash').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    sourceId: uuid('source_id').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [index('source_keys_source_idx').on(t.tenantId, t.sourceId), tenantPolicy(t.tenantId)],
);

/** Every messageId ever accepted: makes a retried request a no-op. */
export const messageIds = pgTable(
  'message_ids',
  {
    tenantId: uuid('tenant_id').notNull(),
    messageId: text('message_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.messageId] }), tenantPolicy(t.tenantId)],
);

/** The durable inbound log: written before the acknowledgement, drained by the pipeline workers. */
export const inboundLog = pgTable(
  'inbound_log',
  {
    tenantId: uuid('tenant_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().notNull(),
    sourceId: uuid('source_id').notNull(),
    /** The first message id of the request; a row holds all the accepted messages of one request. */
    messageId: text('message_id').notNull(),
    /** How many messages the row holds (the pipeline takes rows until a batch is full). */
    messageCount: integer('message_count').notNull().default(1),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The validated messages (corrected `timestamp`, the client's `originalTimestamp`) as JSON,
     * encrypted: raw messages carry phones and e-mails until the pipeline seals them as identities.
     */
    payloadEnc: text('payload_enc').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.seq] }), index('inbound_log_seq_idx').on(t.seq), tenantPolicy(t.tenantId)],
);

/** Per-source counters: received, accepted, processed, and rejected:<reason>. */
export const sourceCounters = pgTable(
  'source_counters',
  {
    tenantId: uuid('tenant_id').notNull(),
    sourceId: uuid('source_id').notNull(),
    counter: text('counter').notNull(),
    value: bigint('value', { mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.sourceId, t.counter] }), tenantPolicy(t.tenantId)],
);

/** The latest rejected messages of each source, for the debugger (trimmed to the newest few hundred). */
export const rejectedMessages = pgTable(
  'rejected_messages',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    sourceId: uuid('source_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    reason: text('reason').notNull(),
    message: text('message').notNull(),
    /** The message as received, cut to 8 KB. */
    payload: jsonb('payload').$type<unknown>(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('rejected_messages_source_idx').on(t.tenantId, t.sourceId, t.receivedAt),
    tenantPolicy(t.tenantId),
  ],
);
