import { z } from 'zod';

/** One in-app notification of the signed-in user. */
export const Notification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  link: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Notification = z.infer<typeof Notification>;

/** Query of the notification list: `unread=1` for unread only. */
export const NotificationQuery = z.object({
  unread: z.enum(['0', '1', 'true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type NotificationQuery = z.infer<typeof NotificationQuery>;

/** Events a webhook can subscribe to. */
export const WebhookEventType = z.enum([
  'lead.created',
  'lead.assigned',
  'lead.sla_breached',
  'lead.stage_changed',
  'task.overdue',
  'notification.created',
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** Sent only by "send a test event"; never subscribed to. */
export const WEBHOOK_PING_EVENT = 'webhook.ping';

const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => /^https?:\/\/[^\s/]+/i.test(v), 'an http:// or https:// URL');

export const Webhook = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  eventTypes: z.array(WebhookEventType),
  active: z.boolean(),
  createdAt: z.string(),
  version: z.number().int(),
  /** Deliveries that gave up (dead letters) and are waiting for a person. */
  deadCount: z.number().int(),
});
export type Webhook = z.infer<typeof Webhook>;

/** The answer to creating a webhook: the only time the signing secret is shown. */
export const CreatedWebhook = Webhook.extend({ secret: z.string() });
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const CreateWebhook = z.object({
  name: z.string().trim().min(1).max(80),
  url: webhookUrl,
  eventTypes: z.array(WebhookEventType).min(1).max(WebhookEventType.options.length),
  active: z.boolean().default(true),
});
export type CreateWebhook = z.infer<typeof CreateWebhook>;

/** A change to a webhook; `version` is the one the editor saw (optimistic concurrency). */
export const UpdateWebhook = z.object({
  version: z.number().int().min(1),
  name: z.string().trim().min(1).max(80).optional(),
  url: webhookUrl.optional(),
  eventTypes: z.array(WebhookEventType).min(1).max(WebhookEventType.options.length).optional(),
  active: z.boolean().optional(),
});
export type UpdateWebhook = z.infer<typeof UpdateWebhook>;

export const WebhookDeliveryStatus = z.enum(['pending', 'failed', 'delivered', 'dead']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

export const WebhookDelivery = z.object({
  id: z.string(),
  webhookId: z.string(),
  eventType: z.string(),
  payload: z.record(z.string(), z.unknown()),
  status: WebhookDeliveryStatus,
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryQuery = z.object({
  status: WebhookDeliveryStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type WebhookDeliveryQuery = z.infer<typeof WebhookDeliveryQuery>;

/** Which notification kinds are also sent as WeCom app messages (per tenant). */
const NotificationKind = z
  .string()
  .trim()
  .max(60)
  .regex(/^[a-z][a-z0-9_.]*$/, 'a notification kind such as lead.assigned');

export const WecomSettings = z.object({
  mode: z.enum(['sandbox']),
  kinds: z.array(NotificationKind).max(50),
  version: z.number().int(),
});
export type WecomSettings = z.infer<typeof WecomSettings>;

export const UpdateWecomSettings = z.object({
  version: z.number().int().min(1),
  kinds: z.array(NotificationKind).max(50),
});
export type UpdateWecomSettings = z.infer<typeof UpdateWecomSettings>;

/** A WeCom app message as the outbox recorded it (in sandbox mode: what would have been sent). */
export const WecomMessage = z.object({
  id: z.string(),
  kind: z.string(),
  toUserIds: z.array(z.string()),
  text: z.string(),
  status: z.enum(['queued', 'sent', 'failed']),
  mode: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type WecomMessage = z.infer<typeof WecomMessage>;
