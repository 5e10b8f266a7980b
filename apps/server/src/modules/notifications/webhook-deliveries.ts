import { WEBHOOK_PING_EVENT, type WebhookDelivery, type WebhookDeliveryQuery } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { auditAction } from '../audit/record-audit.js';
import { getWebhook } from './manage-webhooks.js';
import { DELIVERY_COLUMNS, toDelivery, type DeliveryRow } from './webhook-rows.js';

/** A webhook's delivery log, newest first, optionally one status (`dead`: the dead letters). */
export async function listWebhookDeliveries(ctx: UseCaseContext, webhookId: string, query: WebhookDeliveryQuery) {
  await getWebhook(ctx, webhookId);
  const after = decodeCursor(query.cursor, 2);
  const rows = await rowsOf<DeliveryRow>(
    ctx.tx,
    sql`select ${DELIVERY_COLUMNS} from webhook_deliveries
        where tenant_id = ${ctx.auth.tenantId}::uuid and webhook_id = ${webhookId}::uuid
          ${query.status ? sql`and status = ${query.status}` : sql``}
          ${after ? sql`and (created_at, id) < (${String(after[0])}::timestamptz, ${String(after[1])}::uuid)` : sql``}
        order by created_at desc, id desc
        limit ${query.limit + 1}`,
  );
  const page = pageFrom(rows, query.limit, (r) => [new Date(r.created_at).toISOString(), r.id]);
  return { items: page.items.map(toDelivery), nextCursor: page.nextCursor };
}

/** Puts a dead (or failed) delivery back in the queue for a fresh series of attempts, now. */
export async function retryWebhookDelivery(ctx: UseCaseContext, id: string): Promise<WebhookDelivery> {
  const [current] = await rowsOf<DeliveryRow>(
    ctx.tx,
    sql`select ${DELIVERY_COLUMNS} from webhook_deliveries where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid for update`,
  );
  if (!current) throw notFound('Delivery');
  if (current.status === 'delivered') throw conflict('status: this delivery was already delivered; there is nothing to retry.');
  if (current.status === 'pending') throw conflict('status: this delivery is already waiting for its first attempt.');
  const [row] = await rowsOf<DeliveryRow>(
    ctx.tx,
    sql`update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = now()
        where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid
        returning ${DELIVERY_COLUMNS}`,
  );
  await auditAction(ctx, {
    action: 'webhook.delivery_retried',
    targetType: 'webhook',
    targetId: current.webhook_id,
    details: { deliveryId: id, eventType: current.event_type, previousStatus: current.status, attempts: current.attempts },
  });
  return toDelivery(row!);
}

/** Queues a `webhook.ping` for one webhook, whatever it subscribes to, to check the receiver and its signature check. */
export async function sendTestWebhookEvent(ctx: UseCaseContext, webhookId: string): Promise<WebhookDelivery> {
  const hook = await getWebhook(ctx, webhookId);
  if (!hook.active) throw conflict('active: this webhook is paused; activate it before sending a test event.');
  const [row] = await rowsOf<DeliveryRow>(
    ctx.tx,
    sql`insert into webhook_deliveries (tenant_id, id, webhook_id, event_type, payload)
        values (${ctx.auth.tenantId}::uuid, ${uuidv7()}::uuid, ${webhookId}::uuid, ${WEBHOOK_PING_EVENT},
                ${JSON.stringify({ webhookId, requestedBy: ctx.auth.userId })}::jsonb)
        returning ${DELIVERY_COLUMNS}`,
  );
  return toDelivery(row!);
}
