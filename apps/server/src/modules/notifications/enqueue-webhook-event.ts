import type { WebhookEventType } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db.js';
import { sqlUuidv7 } from './sql-helpers.js';

/** Keys a webhook payload must not carry unless the value is masked (contains `*`): payloads leave the platform. */
const PERSONAL_KEYS =
  /^(phone|mobile|tel|email|e_?mail|name|customer_?name|full_?name|address|id_?number|national_?id|wechat|unionid|openid)$/i;

/** Throws on a payload that carries an unmasked personal value: a bug in the caller, not a user error. */
export function assertNoPersonalData(payload: unknown, path = 'payload'): void {
  if (Array.isArray(payload)) {
    payload.forEach((v, i) => assertNoPersonalData(v, `${path}[${i}]`));
    return;
  }
  if (payload === null || typeof payload !== 'object') return;
  for (const [key, value] of Object.entries(payload)) {
    if (PERSONAL_KEYS.test(key) && typeof value === 'string' && value !== '' && !value.includes('*'))
      throw new Error(`${path}.${key}: webhook payloads must not carry personal data (send ids, or a masked value)`);
    assertNoPersonalData(value, `${path}.${key}`);
  }
}

/**
 * Queues one event for every active webhook of the tenant that subscribes to its type, in the caller's
 * transaction (outbox): nothing is sent unless the business change commits. The payload is sent as
 * `data` and must hold ids, stages, masked values at most. Answers how many deliveries were queued.
 */
export async function enqueueWebhookEvent(
  tx: Tx,
  tenantId: string,
  eventType: WebhookEventType,
  payload: Record<string, unknown>,
): Promise<number> {
  assertNoPersonalData(payload);
  const result = (await tx.execute(sql`
    insert into webhook_deliveries (tenant_id, id, webhook_id, event_type, payload)
    select w.tenant_id, ${sqlUuidv7}, w.id, ${eventType}, ${JSON.stringify(payload)}::jsonb
    from webhooks w
    where w.tenant_id = ${tenantId}::uuid and w.active and ${eventType} = any(w.event_types)`)) as unknown as {
    rowCount?: number;
    affectedRows?: number;
  };
  return result.rowCount ?? result.affectedRows ?? 0;
}
