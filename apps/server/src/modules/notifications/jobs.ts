import { z } from 'zod';
import type { Config } from '../../platform/config.js';
import { defineJob } from '../../platform/jobs.js';
import { DEFAULT_DELIVERY, deliverDueWebhooks, type DeliveryOptions } from './deliver-webhooks.js';
import { createWecomMessenger, sendQueuedWecomMessages, type WecomMessenger } from './wecom.js';

/*
 * How this process delivers, set once at start from the configuration (like the password cost:
 * a property of the deployment). Job handlers only get the database, logger and keys.
 */
let delivery: DeliveryOptions = DEFAULT_DELIVERY;
let messenger: WecomMessenger = createWecomMessenger('sandbox');

export function configureNotificationDelivery(
  config: Pick<
    Config,
    'FORECOURT_WEBHOOK_RETRY_SECONDS' | 'FORECOURT_WEBHOOK_TIMEOUT_MS' | 'FORECOURT_WEBHOOK_PRIVATE_NETWORKS' | 'WECOM_MODE'
  >,
) {
  delivery = {
    retrySeconds: config.FORECOURT_WEBHOOK_RETRY_SECONDS,
    timeoutMs: config.FORECOURT_WEBHOOK_TIMEOUT_MS,
    privateNetworks: config.FORECOURT_WEBHOOK_PRIVATE_NETWORKS,
  };
  messenger = createWecomMessenger(config.WECOM_MODE);
}

/** The WeCom messenger this process sends through (the sandbox keeps what it "sent" in memory). */
export function wecomMessenger(): WecomMessenger {
  return messenger;
}

/** The webhook retry schedule this process uses. */
export function webhookDeliveryOptions(): DeliveryOptions {
  return delivery;
}

/**
 * Every minute (and right after a retry or a test event from the console): sends the due webhook
 * deliveries of every tenant, or of one when the payload names it. Retries are the schedule's job, not pg-boss's.
 */
export const webhookDeliveryJob = defineJob({
  name: 'notifications.webhook-delivery',
  payload: z.object({ tenantId: z.string().uuid().optional() }).passthrough(),
  schedule: '* * * * *',
  expireInSeconds: 5 * 60,
  retryLimit: 0,
  handler: async ({ tenantId }, { database, keys, logger }) => {
    const result = await deliverDueWebhooks(database, keys, { ...delivery, ...(tenantId ? { tenantId } : {}) });
    if (result.delivered + result.failed + result.dead > 0) logger.info({ tenantId, ...result }, 'webhook deliveries');
  },
});

/** Every minute: sends queued WeCom app messages (in sandbox mode: records them as sent). */
export const wecomDeliveryJob = defineJob({
  name: 'notifications.wecom-delivery',
  payload: z.object({}).passthrough(),
  schedule: '* * * * *',
  expireInSeconds: 5 * 60,
  retryLimit: 0,
  handler: async (_payload, { database, logger }) => {
    const result = await sendQueuedWecomMessages(database, messenger);
    if (result.sent + result.failed > 0) logger.info({ mode: messenger.mode, ...result }, 'wecom messages');
  },
});
