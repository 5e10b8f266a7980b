import {
  CreatedWebhook,
  CreateWebhook,
  Notification,
  NotificationQuery,
  pageOf,
  UpdateWebhook,
  UpdateWecomSettings,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryQuery,
  WecomMessage,
  WecomSettings,
} from '@forecourt/contracts';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import type { Jobs } from '../../platform/jobs.js';
import { webhookDeliveryJob } from './jobs.js';
import { countUnreadNotifications, listNotifications } from './list-notifications.js';
import { createWebhook, rotateWebhookSecret, deleteWebhook, listWebhooks, updateWebhook } from './manage-webhooks.js';
import { markAllNotificationsRead, markNotificationRead } from './mark-notifications-read.js';
import { listWebhookDeliveries, retryWebhookDelivery, sendTestWebhookEvent } from './webhook-deliveries.js';
import { getWecomSettings, listWecomMessages, updateWecomSettings } from './wecom-settings.js';

const Id = z.object({ id: z.string().uuid() });
const self = { permission: 'authenticated', scope: 'self' } as const;
const manage = { permission: 'webhooks.manage', scope: 'tenant' } as const;

export type NotificationServices = Services & { jobs: Jobs };

/** Delivers now rather than at the next minute, when this process runs the workers; otherwise the schedule does. */
function kick(s: NotificationServices, tenantId: string, log: FastifyBaseLogger) {
  if (!s.jobs.isStarted) return;
  s.jobs.send(webhookDeliveryJob, { tenantId }).catch((err: unknown) => log.warn({ err }, 'webhook delivery not kicked'));
}

/** The in-app notification centre (a user's own) and, for admins, webhooks and the WeCom adapter. */
export function notificationRoutes(app: App, s: NotificationServices) {
  app.get('/api/notifications', {
    config: { access: self },
    schema: {
      tags: ['notifications'],
      summary: 'My notifications, newest first (unread=1: unread only)',
      querystring: NotificationQuery,
      response: { 200: pageOf(Notification), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listNotifications(ctx, req.query)),
  });
  app.get('/api/notifications/unread-count', {
    config: { access: self },
    schema: {
      tags: ['notifications'],
      summary: 'How many of my notifications are unread (the bell)',
      response: { 200: z.object({ count: z.number().int() }), ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, async (ctx) => ({ count: await countUnreadNotifications(ctx) })),
  });
  app.post('/api/notifications/read-all', {
    config: { access: self },
    schema: {
      tags: ['notifications'],
      summary: 'Mark all my notifications read',
      response: { 200: z.object({ updated: z.number().int() }), ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, async (ctx) => ({ updated: await markAllNotificationsRead(ctx) })),
  });
  app.post('/api/notifications/:id/read', {
    config: { access: self },
    schema: {
      tags: ['notifications'],
      summary: 'Mark one of my notifications read',
      params: Id,
      response: { 200: Notification, ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => markNotificationRead(ctx, req.params.id)),
  });

  app.get('/api/webhooks', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Outbound webhooks of the tenant, with their dead-letter counts',
      response: { 200: z.object({ items: z.array(Webhook) }), ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, async (ctx) => ({ items: await listWebhooks(ctx) })),
  });
  app.post('/api/webhooks', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Create a webhook; the answer holds its signing secret, shown this once',
      body: CreateWebhook,
      response: { 201: CreatedWebhook, ...errors(400, 401, 403, 409) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createWebhook(ctx, req.body))),
  });
  app.patch('/api/webhooks/:id', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Change a webhook (name, URL, events, active); optimistic by version',
      params: Id,
      body: UpdateWebhook,
      response: { 200: Webhook, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => updateWebhook(ctx, req.params.id, req.body)),
  });
  app.delete('/api/webhooks/:id', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Delete a webhook and its delivery log',
      params: Id,
      response: { 204: z.null(), ...errors(400, 401, 403, 404) },
    },
    handler: async (req, reply) => {
      await s.inTenant(req, (ctx) => deleteWebhook(ctx, req.params.id));
      return reply.status(204).send(null);
    },
  });
  app.post('/api/webhooks/:id/rotate-secret', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Replace the signing secret now; the answer holds the new one, shown this once (optimistic by version)',
      params: Id,
      body: z.object({ version: z.number().int().positive() }),
      response: { 200: CreatedWebhook, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => rotateWebhookSecret(ctx, req.params.id, req.body.version)),
  });
  app.post('/api/webhooks/:id/test', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Queue a webhook.ping event for this webhook',
      params: Id,
      response: { 202: WebhookDelivery, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => {
      const delivery = await s.inTenant(req, (ctx) => sendTestWebhookEvent(ctx, req.params.id));
      kick(s, req.auth!.tenantId, req.log);
      return reply.status(202).send(delivery);
    },
  });
  app.get('/api/webhooks/:id/deliveries', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Delivery log of a webhook, newest first (status=dead: the dead letters)',
      params: Id,
      querystring: WebhookDeliveryQuery,
      response: { 200: pageOf(WebhookDelivery), ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listWebhookDeliveries(ctx, req.params.id, req.query)),
  });
  app.post('/api/webhook-deliveries/:id/retry', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Re-queue a dead (or failed) delivery for a fresh series of attempts',
      params: Id,
      response: { 200: WebhookDelivery, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req) => {
      const delivery = await s.inTenant(req, (ctx) => retryWebhookDelivery(ctx, req.params.id));
      kick(s, req.auth!.tenantId, req.log);
      return delivery;
    },
  });

  app.get('/api/settings/wecom', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'WeCom app-message adapter: mode and the notification kinds forwarded to WeCom',
      response: { 200: WecomSettings, ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => getWecomSettings(ctx, s.config.WECOM_MODE)),
  });
  app.put('/api/settings/wecom', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'Choose the notification kinds forwarded to WeCom; optimistic by version, audited',
      body: UpdateWecomSettings,
      response: { 200: WecomSettings, ...errors(400, 401, 403, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => updateWecomSettings(ctx, s.config.WECOM_MODE, req.body)),
  });
  app.get('/api/wecom-messages', {
    config: { access: manage },
    schema: {
      tags: ['webhooks'],
      summary: 'The WeCom outbox, newest first (in sandbox mode: what would have been sent)',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() }),
      response: { 200: pageOf(WecomMessage), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listWecomMessages(ctx, req.query)),
  });
}
