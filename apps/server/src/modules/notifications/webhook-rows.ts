import type { Webhook, WebhookDelivery, WebhookDeliveryStatus, WebhookEventType } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { invalid } from '../../platform/errors.js';

export interface WebhookRow {
  id: string;
  name: string;
  url: string;
  event_types: string[];
  active: boolean;
  created_at: Date | string;
  version: number;
  dead_count: unknown;
}

/** A webhook with its count of dead deliveries. */
export const WEBHOOK_SELECT = sql`select w.id, w.name, w.url, w.event_types, w.active, w.created_at, w.version,
  (select count(*) from webhook_deliveries d where d.tenant_id = w.tenant_id and d.webhook_id = w.id and d.status = 'dead') as dead_count
  from webhooks w`;

export const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  name: r.name,
  url: r.url,
  eventTypes: r.event_types as WebhookEventType[],
  active: r.active,
  createdAt: new Date(r.created_at).toISOString(),
  version: r.version,
  deadCount: Number(r.dead_count ?? 0),
});

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date | string;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | string | null;
  delivered_at: Date | string | null;
  created_at: Date | string;
}

export const DELIVERY_COLUMNS = sql`id, webhook_id, event_type, payload, status, attempts, next_attempt_at, last_status_code,
  last_error, last_attempt_at, delivered_at, created_at`;

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  webhookId: r.webhook_id,
  eventType: r.event_type,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  // Only a delivery that will still be tried has a next attempt.
  nextAttemptAt: r.status === 'pending' || r.status === 'failed' ? iso(r.next_attempt_at) : null,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  lastAttemptAt: iso(r.last_attempt_at),
  deliveredAt: iso(r.delivered_at),
  createdAt: iso(r.created_at)!,
});

/** Only http(s) URLs with a host; anything else (file:, javascript:, a bare word) is refused naming `url`. */
export function checkWebhookUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('url', 'not a valid URL; give an http:// or https:// address.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw invalid('url', `only http:// and https:// URLs can receive webhooks, not ${parsed.protocol}`);
  if (!parsed.hostname) throw invalid('url', 'the URL has no host.');
  if (parsed.username || parsed.password)
    throw invalid('url', 'put credentials in the receiver, not in the URL; the secret signs every request.');
  return parsed.toString();
}
