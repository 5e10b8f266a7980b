import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy } from '../../platform/tenant-policy.js';
import { users } from '../org/schema.js';

/** An in-app notification for one user (the bell in the console's top bar). */
export const notifications = pgTable(
  'notifications',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    userId: uuid('user_id').notNull(),
    /** What happened, dotted (lead.assigned, lead.sla_breached, task.overdue, …); also the WeCom forwarding key. */
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body'),
    /** A console path (`/leads/…`) the notification opens. */
    link: text('link'),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('notifications_user_idx').on(t.tenantId, t.userId, t.createdAt, t.id),
    // The bell's count and the "unread" list touch only unread rows.
    index('notifications_unread_idx')
      .on(t.tenantId, t.userId, t.createdAt)
      .where(sql`${t.readAt} is null`),
    foreignKey({ columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id], name: 'notifications_user_fk' }).onDelete(
      'cascade',
    ),
    tenantPolicy(t.tenantId),
  ],
);

/** An outbound webhook: a URL that receives signed JSON for the event types it subscribes to. */
export const webhooks = pgTable(
  'webhooks',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    /** The signing secret, AES-256-GCM (platform/crypto.ts); shown once when the webhook is created. */
    secretEnc: text('secret_enc').notNull(),
    eventTypes: text('event_types').array().notNull(),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), tenantPolicy(t.tenantId)],
);

/**
 * One event for one webhook (the outbox). Written in the transaction of the business change, so only
 * committed changes are ever sent. status: pending (not tried yet), failed (retry scheduled at
 * next_attempt_at), delivered, dead (gave up; a person may re-queue it). The payload holds ids and
 * stages only, never personal data.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    webhookId: uuid('webhook_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('pending'),
    attempts: smallint('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastStatusCode: smallint('last_status_code'),
    lastError: text('last_error'),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('webhook_deliveries_log_idx').on(t.tenantId, t.webhookId, t.createdAt),
    // The delivery job's work queue, across tenants.
    index('webhook_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'failed')`),
    foreignKey({
      columns: [t.tenantId, t.webhookId],
      foreignColumns: [webhooks.tenantId, webhooks.id],
      name: 'webhook_deliveries_webhook_fk',
    }).onDelete('cascade'),
    tenantPolicy(t.tenantId),
  ],
);

/** Per-tenant notification settings: which notification kinds are also sent as WeCom app messages. */
export const notificationSettings = pgTable(
  'notification_settings',
  {
    tenantId: uuid('tenant_id').notNull().primaryKey(),
    wecomKinds: text('wecom_kinds')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    version: integer('version').notNull().default(1),
    updatedBy: uuid('updated_by'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [tenantPolicy(t.tenantId)],
);

/**
 * WeCom app messages queued by notify() (outbox) and what the messenger answered. status: queued,
 * sent, failed. `mode` records which messenger sent it (only `sandbox` exists: nothing leaves the machine).
 */
export const wecomMessages = pgTable(
  'wecom_messages',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    notificationId: uuid('notification_id'),
    kind: text('kind').notNull(),
    /** WeCom userids of the recipients (the user's login). */
    toUserIds: text('to_user_ids').array().notNull(),
    text: text('text').notNull(),
    status: text('status').notNull().default('queued'),
    mode: text('mode'),
    error: text('error'),
    attempts: smallint('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('wecom_messages_log_idx').on(t.tenantId, t.createdAt),
    index('wecom_messages_queued_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'queued'`),
    tenantPolicy(t.tenantId),
  ],
);
