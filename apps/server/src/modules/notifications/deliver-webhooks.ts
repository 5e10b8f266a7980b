import { sql } from 'drizzle-orm';
import { decrypt, type Keys } from '../../platform/crypto.js';
import { rowsOf, withTenant, type Database } from '../../platform/db.js';
import { blockedDestination } from './destination.js';
import { notify, WEBHOOK_DEAD_KIND } from './notify.js';
import { webhookHeaders } from './sign-webhook.js';

export interface DeliveryOptions {
  /** Seconds to wait after attempt 1, 2, …; one more attempt than entries, then the delivery is dead. */
  retrySeconds: readonly number[];
  timeoutMs: number;
  /** Stop claiming new work after this long (the job runs every minute). */
  budgetMs?: number;
  /** Only this tenant's deliveries. */
  tenantId?: string;
  batchSize?: number;
  /** 'deny' (default): never call loopback, private or link-local addresses (destination.ts). */
  privateNetworks?: 'allow' | 'deny';
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  retrySeconds: [30, 120, 600, 3600, 21_600],
  timeoutMs: 5000,
  privateNetworks: 'deny',
};

/** While an attempt is in flight its row is pushed this far ahead, so another worker does not take it too. */
const LEASE_SECONDS = 60;

/** The wait before the next attempt after `attempts` failures, ±20 % so a receiver that was down is not hit by every retry at once. */
export function backoffSeconds(retrySeconds: readonly number[], attempts: number, random = Math.random): number {
  const base = retrySeconds[Math.min(attempts, retrySeconds.length) - 1] ?? 0;
  return Math.round(base * (0.8 + 0.4 * random()));
}

interface Claimed {
  tenant_id: string;
  id: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date | string;
  url: string;
  secret_enc: string;
  webhook_id: string;
  webhook_name: string;
  created_by: string | null;
}

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** One POST with a timeout; any 2xx is a delivery, anything else (3xx included: redirects are not followed) a failure. */
async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Outcome> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, status: null, error: describeFailure(err, timeoutMs) };
  }
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code)
    return (cause.message?.includes(cause.code) ? cause.message : `${cause.code}: ${cause.message ?? ''}`).trim().slice(0, 300);
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}

async function claim(database: Database, opts: DeliveryOptions): Promise<Claimed[]> {
  const tenant = opts.tenantId ? sql`and d.tenant_id = ${opts.tenantId}::uuid` : sql``;
  // Runs outside any tenant (the job serves them all); each row is then written back by (tenant_id, id).
  return rowsOf<Claimed>(
    database.db,
    sql`with due as (
          select d.tenant_id, d.id from webhook_deliveries d
          join webhooks w on w.tenant_id = d.tenant_id and w.id = d.webhook_id and w.active
          where d.status in ('pending', 'failed') and d.next_attempt_at <= now() ${tenant}
          order by d.next_attempt_at limit ${opts.batchSize ?? 20}
          for update of d skip locked)
        update webhook_deliveries d set next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS}::double precision)
        from due, webhooks w
        where d.tenant_id = due.tenant_id and d.id = due.id and w.tenant_id = d.tenant_id and w.id = d.webhook_id
        returning d.tenant_id, d.id, d.event_type, d.payload, d.attempts, d.created_at, w.url, w.secret_enc,
          w.id as webhook_id, w.name as webhook_name, w.created_by`,
  );
}

async function attempt(database: Database, keys: Keys, row: Claimed, opts: DeliveryOptions): Promise<'delivered' | 'failed' | 'dead'> {
  const body = JSON.stringify({ id: row.id, type: row.event_type, createdAt: new Date(row.created_at).toISOString(), data: row.payload });
  let outcome: Outcome;
  try {
    const blocked = opts.privateNetworks === 'allow' ? null : await blockedDestination(row.url);
    if (blocked) outcome = { ok: false, status: null, error: blocked };
    else {
      const headers = webhookHeaders({ secret: decrypt(keys, row.secret_enc), eventType: row.event_type, deliveryId: row.id, body });
      outcome = await post(row.url, headers, body, opts.timeoutMs);
    }
  } catch (err) {
    outcome = { ok: false, status: null, error: `not sent: ${err instanceof Error ? err.message : String(err)}` };
  }
  const attempts = row.attempts + 1;
  const where = sql`where tenant_id = ${row.tenant_id}::uuid and id = ${row.id}::uuid`;
  if (outcome.ok) {
    await database.db.execute(sql`
      update webhook_deliveries set status = 'delivered', attempts = ${attempts}, last_status_code = ${outcome.status},
        last_error = null, last_attempt_at = now(), delivered_at = now() ${where}`);
    return 'delivered';
  }
  const dead = attempts > opts.retrySeconds.length;
  const wait = dead ? 0 : backoffSeconds(opts.retrySeconds, attempts);
  await database.db.execute(sql`
    update webhook_deliveries set status = ${dead ? 'dead' : 'failed'}, attempts = ${attempts}, last_status_code = ${outcome.status},
      last_error = ${outcome.error}, last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => ${wait}::double precision) ${where}`);
  if (dead) await alertCreator(database, row, attempts, outcome.error);
  return dead ? 'dead' : 'failed';
}

/**
 * Tells the webhook's creator that a delivery is dead, in their language, once: while that alert is
 * unread, further dead deliveries of the same webhook add nothing.
 */
async function alertCreator(database: Database, row: Claimed, attempts: number, error: string): Promise<void> {
  const userId = row.created_by;
  if (!userId) return;
  const link = `/settings/webhooks?webhook=${row.webhook_id}`;
  await withTenant(database.db, row.tenant_id, async (tx) => {
    const [user] = await rowsOf<{ locale: string }>(
      tx,
      sql`select u.locale from users u
          where u.tenant_id = ${row.tenant_id}::uuid and u.id = ${userId}::uuid and u.active
            and not exists (select 1 from notifications n
              where n.tenant_id = u.tenant_id and n.user_id = u.id and n.kind = ${WEBHOOK_DEAD_KIND} and n.link = ${link} and n.read_at is null)`,
    );
    if (!user) return;
    const en = user.locale.startsWith('en');
    await notify(tx, row.tenant_id, [
      {
        userId,
        kind: WEBHOOK_DEAD_KIND,
        title: en ? `Webhook “${row.webhook_name}”: a delivery is dead` : `Webhook「${row.webhook_name}」有投递进入死信`,
        body: en
          ? `${row.event_type}: ${error} after ${attempts} attempts. Check the receiver, then retry it from the delivery log.`
          : `${row.event_type}：${error}，已尝试 ${attempts} 次。请检查接收方，然后在投递记录中重新投递。`,
        link,
      },
    ]);
  });
}

/**
 * Sends every due delivery (pending, or failed with its retry time reached) of active webhooks, a batch
 * at a time, until none is due or the budget is spent. No transaction is open during a request.
 */
export async function deliverDueWebhooks(
  database: Database,
  keys: Keys,
  opts: DeliveryOptions = DEFAULT_DELIVERY,
): Promise<{ delivered: number; failed: number; dead: number }> {
  const totals = { delivered: 0, failed: 0, dead: 0 };
  const deadline = Date.now() + (opts.budgetMs ?? 50_000);
  while (Date.now() < deadline) {
    const batch = await claim(database, opts);
    if (batch.length === 0) break;
    const results = await Promise.all(batch.map((row) => attempt(database, keys, row, opts)));
    for (const r of results) totals[r] += 1;
  }
  return totals;
}
