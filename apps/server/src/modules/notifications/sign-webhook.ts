import { createHmac } from 'node:crypto';

/**
 * `sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret. The timestamp
 * (Unix seconds, also sent as X-Forecourt-Timestamp) is signed so a receiver can refuse replays.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers of one delivery attempt. */
export function webhookHeaders(opts: { secret: string; eventType: string; deliveryId: string; body: string; now?: Date }) {
  const timestamp = String(Math.floor((opts.now ?? new Date()).getTime() / 1000));
  return {
    'content-type': 'application/json',
    'user-agent': 'Forecourt-Webhooks/1',
    'x-forecourt-event': opts.eventType,
    'x-forecourt-delivery': opts.deliveryId,
    'x-forecourt-timestamp': timestamp,
    'x-forecourt-signature': signWebhook(opts.secret, timestamp, opts.body),
  };
}
