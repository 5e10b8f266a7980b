import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, withTenant } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { backoffSeconds, deliverDueWebhooks, type DeliveryOptions } from './deliver-webhooks.js';
import { isPrivateAddress } from './destination.js';
import { enqueueWebhookEvent } from './enqueue-webhook-event.js';
import { notify } from './notify.js';
import { SandboxWecomMessenger, sendQueuedWecomMessages } from './wecom.js';

/** A real HTTP receiver on an ephemeral port that answers `status` and remembers what it got. */
interface Receiver {
  url: string;
  status: number;
  hang: boolean;
  got: { headers: http.IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}
async function startReceiver(status = 200): Promise<Receiver> {
  const r: Omit<Receiver, 'url' | 'close'> = { status, hang: false, got: [] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += String(d)));
    req.on('end', () => {
      r.got.push({ headers: req.headers, body });
      if (r.hang) return; // never answers: the sender's timeout must fire
      res.writeHead(r.status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hooks/forecourt`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A port nothing listens on: opened, then closed. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/down`;
}

let t: TestApp;
let admin: Session;
let manager: Session;
let receiver: Receiver;
// The receivers listen on 127.0.0.1, which the default (privateNetworks: 'deny') refuses; see the test of that below.
const FAST: DeliveryOptions = { retrySeconds: [30, 120], timeoutMs: 2000, privateNetworks: 'allow' };

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  manager = await t.login('sha01.manager');
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await t.stop();
});

const tenantId = () => admin.me.tenant.id;
const call = (who: Session | null, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: who ? who.headers(method !== 'GET') : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function createHook(url: string, eventTypes: string[] = ['lead.created']) {
  const res = await call(admin, 'POST', '/api/webhooks', { name: `hook ${Math.random()}`, url, eventTypes });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string; version: number };
}
const deliveries = async (hookId: string) =>
  (await call(admin, 'GET', `/api/webhooks/${hookId}/deliveries`)).json().items as {
    id: string;
    status: string;
    attempts: number;
    lastStatusCode: number | null;
    lastError: string | null;
    nextAttemptAt: string | null;
    eventType: string;
  }[];
const enqueue = (eventType: 'lead.created' | 'lead.assigned', payload: Record<string, unknown>) =>
  withTenant(t.database.db, tenantId(), (tx) => enqueueWebhookEvent(tx, tenantId(), eventType, payload));
/** The fake clock: every waiting delivery becomes due now. */
const makeDue = () =>
  t.database.db.execute(sql`update webhook_deliveries set next_attempt_at = now() - interval '1 second' where status = 'failed'`);
const pauseOthers = (keep: string) => t.database.db.execute(sql`update webhooks set active = (id = ${keep}::uuid)`);

describe('webhook administration', () => {
  it('when a user without webhooks.manage calls the webhook routes, then 403; without a session, 401', async () => {
    expect((await call(manager, 'GET', '/api/webhooks')).statusCode).toBe(403);
    expect((await call(manager, 'POST', '/api/webhooks', { name: 'x', url: receiver.url, eventTypes: ['lead.created'] })).statusCode).toBe(
      403,
    );
    expect(
      (await call(manager, 'POST', `/api/webhook-deliveries/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}/retry`)).statusCode,
    ).toBe(403);
    expect((await call(manager, 'GET', '/api/settings/wecom')).statusCode).toBe(403);
    expect((await call(null, 'GET', '/api/webhooks')).statusCode).toBe(401);
  });

  it('when the URL is not http(s), then 400 naming url', async () => {
    for (const url of ['ftp://example.com/x', 'javascript:alert(1)', 'file:///etc/passwd', 'example.com/hook']) {
      const res = await call(admin, 'POST', '/api/webhooks', { name: 'bad', url, eventTypes: ['lead.created'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message).toMatch(/url/);
    }
    const noEvents = await call(admin, 'POST', '/api/webhooks', { name: 'x', url: receiver.url, eventTypes: [] });
    expect(noEvents.statusCode).toBe(400);
    expect(noEvents.json().error.message).toMatch(/^body\.eventTypes/);
  });

  it('when a webhook is created, then its secret is answered once, stored encrypted, and the change is audited', async () => {
    const hook = await createHook(receiver.url);
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = (await call(admin, 'GET', '/api/webhooks')).json().items.find((w: { id: string }) => w.id === hook.id);
    expect(listed).toMatchObject({ url: receiver.url, eventTypes: ['lead.created'], active: true, deadCount: 0 });
    expect(listed).not.toHaveProperty('secret');
    const [row] = await rowsOf<{ secret_enc: string }>(t.database.db, sql`select secret_enc from webhooks where id = ${hook.id}::uuid`);
    expect(row!.secret_enc).not.toContain(hook.secret);
    const audit = await rowsOf<{ action: string; details: unknown }>(
      t.database.db,
      sql`select action, details from audit_log where target_id = ${hook.id} order by at`,
    );
    expect(audit.map((a) => a.action)).toEqual(['webhook.created']);
    expect(JSON.stringify(audit[0]!.details)).not.toContain(hook.secret);

    const stale = await call(admin, 'PATCH', `/api/webhooks/${hook.id}`, { version: hook.version + 5, active: false });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toMatch(/^version/);
    const badUrl = await call(admin, 'PATCH', `/api/webhooks/${hook.id}`, { version: hook.version, url: 'gopher://x' });
    expect(badUrl.statusCode).toBe(400);
    const paused = await call(admin, 'PATCH', `/api/webhooks/${hook.id}`, { version: hook.version, active: false });
    expect(paused.json()).toMatchObject({ active: false, version: hook.version + 1 });
    expect((await call(admin, 'DELETE', `/api/webhooks/${hook.id}`)).statusCode).toBe(204);
    expect((await call(admin, 'GET', `/api/webhooks/${hook.id}/deliveries`)).statusCode).toBe(404);
  });
});

describe('webhook delivery', () => {
  it('when an event is delivered, then the receiver can verify the signature with the secret', async () => {
    const hook = await createHook(receiver.url, ['lead.created', 'notification.created']);
    await pauseOthers(hook.id);
    receiver.got.length = 0;
    receiver.status = 204;
    expect(await enqueue('lead.created', { leadId: 'L-1', stage: 'new', phoneMasked: '138****8000' })).toBe(1);
    expect(await enqueue('lead.assigned', { leadId: 'L-1' })).toBe(0); // not subscribed

    const result = await deliverDueWebhooks(t.database, t.keys, FAST);
    expect(result).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(receiver.got).toHaveLength(1);
    const { headers, body } = receiver.got[0]!;
    expect(headers['x-forecourt-event']).toBe('lead.created');
    const timestamp = String(headers['x-forecourt-timestamp']);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const expected = `sha256=${createHmac('sha256', hook.secret).update(`${timestamp}.${body}`).digest('hex')}`;
    expect(headers['x-forecourt-signature']).toBe(expected);
    // A different secret does not verify.
    expect(headers['x-forecourt-signature']).not.toBe(
      `sha256=${createHmac('sha256', 'whsec_other').update(`${timestamp}.${body}`).digest('hex')}`,
    );
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ id: headers['x-forecourt-delivery'], type: 'lead.created', data: { leadId: 'L-1', stage: 'new' } });

    const log = await deliveries(hook.id);
    expect(log[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null, nextAttemptAt: null });
    // Nothing is due any more: a second run sends nothing.
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toEqual({ delivered: 0, failed: 0, dead: 0 });
    expect(receiver.got).toHaveLength(1);
  });

  it('when the secret is rotated, then the next delivery is signed with the new one only; a stale version is 409; it is audited', async () => {
    const hook = await createHook(receiver.url, ['lead.created']);
    await pauseOthers(hook.id);
    const rotated = await call(admin, 'POST', `/api/webhooks/${hook.id}/rotate-secret`, { version: hook.version });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const fresh = rotated.json() as { secret: string; version: number };
    expect(fresh.secret).toMatch(/^whsec_/);
    expect(fresh.secret).not.toBe(hook.secret);
    expect(fresh.version).toBe(hook.version + 1);
    const stale = await call(admin, 'POST', `/api/webhooks/${hook.id}/rotate-secret`, { version: hook.version });
    expect(stale.statusCode).toBe(409);
    // Never shown again: the webhook as listed carries no secret.
    expect(JSON.stringify((await call(admin, 'GET', '/api/webhooks')).json())).not.toContain(fresh.secret);

    receiver.got.length = 0;
    receiver.status = 200;
    await enqueue('lead.created', { leadId: 'L-rotated' });
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toMatchObject({ delivered: 1 });
    const { headers, body } = receiver.got[0]!;
    const sign = (secret: string) =>
      `sha256=${createHmac('sha256', secret)
        .update(`${String(headers['x-forecourt-timestamp'])}.${body}`)
        .digest('hex')}`;
    expect(headers['x-forecourt-signature']).toBe(sign(fresh.secret));
    expect(headers['x-forecourt-signature']).not.toBe(sign(hook.secret));
    const audit = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from audit_log where action = 'webhook.secret_rotated' and target_id = ${hook.id}`,
    );
    expect(Number(audit[0]!.n)).toBe(1);
  });

  it('when private networks are denied (the default), then a webhook to a local address is not called and the log says why', async () => {
    const hook = await createHook(receiver.url, ['lead.created']);
    await pauseOthers(hook.id);
    receiver.got.length = 0;
    receiver.status = 200;
    await enqueue('lead.created', { leadId: 'L-ssrf' });
    expect(await deliverDueWebhooks(t.database, t.keys, { ...FAST, privateNetworks: 'deny' })).toEqual({
      delivered: 0,
      failed: 1,
      dead: 0,
    });
    expect(receiver.got).toHaveLength(0);
    const [d] = await deliveries(hook.id);
    expect(d?.lastError).toMatch(/127\.0\.0\.1 is a private or local address .*FORECOURT_WEBHOOK_PRIVATE_NETWORKS=allow/);
  });

  it('the private ranges: loopback, RFC 1918, link-local (cloud metadata), CGNAT, IPv6 local and mapped IPv4 are refused; public ones pass', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.5',
      '192.168.1.10',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '203.0.113.9', '2001:4860:4860::8888', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(a), a).toBe(false);
  });

  it('when the receiver answers 500, then it is retried with backoff, dead after the last attempt, and a retry from the console re-queues it', async () => {
    const hook = await createHook(receiver.url);
    await pauseOthers(hook.id);
    receiver.got.length = 0;
    receiver.status = 500;
    await enqueue('lead.created', { leadId: 'L-2' });

    const started = Date.now();
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toEqual({ delivered: 0, failed: 1, dead: 0 });
    let [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' });
    // 30 s ± 20 %.
    const wait = (new Date(d!.nextAttemptAt!).getTime() - started) / 1000;
    expect(wait).toBeGreaterThanOrEqual(23);
    expect(wait).toBeLessThanOrEqual(37);
    // Not due yet: nothing is sent.
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toEqual({ delivered: 0, failed: 0, dead: 0 });

    await makeDue();
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toEqual({ delivered: 0, failed: 1, dead: 0 });
    [d] = await deliveries(hook.id);
    const second = (new Date(d!.nextAttemptAt!).getTime() - Date.now()) / 1000;
    expect(second).toBeGreaterThan(90); // the second wait is 120 s ± 20 %
    expect(second).toBeLessThanOrEqual(145);

    await makeDue();
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toEqual({ delivered: 0, failed: 0, dead: 1 });
    [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ status: 'dead', attempts: 3, nextAttemptAt: null });
    expect(receiver.got).toHaveLength(3);
    await makeDue();
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toEqual({ delivered: 0, failed: 0, dead: 0 });
    const listed = (await call(admin, 'GET', '/api/webhooks')).json().items.find((w: { id: string }) => w.id === hook.id);
    expect(listed.deadCount).toBe(1);
    // The creator is told, once, with a link to the delivery log.
    const alerts = (await call(admin, 'GET', '/api/notifications?unread=1'))
      .json()
      .items.filter((n: { kind: string }) => n.kind === 'webhook.dead');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ link: `/settings/webhooks?webhook=${hook.id}` });
    expect(alerts[0].body).toContain('HTTP 500');
    expect((await call(admin, 'GET', `/api/webhooks/${hook.id}/deliveries?status=dead`)).json().items).toHaveLength(1);

    // The receiver is fixed; a person re-queues the dead letter.
    receiver.status = 200;
    const retried = await call(admin, 'POST', `/api/webhook-deliveries/${d!.id}/retry`);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await call(admin, 'POST', `/api/webhook-deliveries/${d!.id}/retry`)).statusCode).toBe(409);
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect((await deliveries(hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
    expect((await call(admin, 'POST', `/api/webhook-deliveries/${d!.id}/retry`)).statusCode).toBe(409);

    // A second dead letter while the alert is unread adds no second alert.
    receiver.status = 503;
    await enqueue('lead.created', { leadId: 'L-2b' });
    for (let i = 0; i < 3; i++) {
      await deliverDueWebhooks(t.database, t.keys, FAST);
      await makeDue();
    }
    expect((await deliveries(hook.id))[0]).toMatchObject({ status: 'dead', lastStatusCode: 503 });
    const [{ n }] = (await rowsOf<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from notifications where kind = 'webhook.dead' and link like ${`%${hook.id}`}`,
    )) as [{ n: number }];
    expect(n).toBe(1);
    const audit = await rowsOf<{ action: string }>(
      t.database.db,
      sql`select action from audit_log where action = 'webhook.delivery_retried'`,
    );
    expect(audit).toHaveLength(1);
  });

  it('when the receiver is down, then the failure is recorded with the connection error', async () => {
    const hook = await createHook(await closedPortUrl());
    await pauseOthers(hook.id);
    await enqueue('lead.created', { leadId: 'L-3' });
    expect(await deliverDueWebhooks(t.database, t.keys, FAST)).toEqual({ delivered: 0, failed: 1, dead: 0 });
    const [d] = await deliveries(hook.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
    expect(d!.lastError).toMatch(/ECONNREFUSED/);
  });

  it('when the receiver does not answer in time, then the attempt counts as failed', async () => {
    const slow = await startReceiver();
    slow.hang = true;
    try {
      const hook = await createHook(slow.url);
      await pauseOthers(hook.id);
      await enqueue('lead.created', { leadId: 'L-4' });
      const before = Date.now();
      expect(await deliverDueWebhooks(t.database, t.keys, { ...FAST, timeoutMs: 300 })).toEqual({ delivered: 0, failed: 1, dead: 0 });
      expect(Date.now() - before).toBeLessThan(5000);
      const [d] = await deliveries(hook.id);
      expect(d).toMatchObject({ status: 'failed', lastError: 'no answer within 300 ms' });
    } finally {
      await slow.close();
    }
  });

  it('when a test event is sent from the console, then a webhook.ping is queued for that webhook only', async () => {
    const hook = await createHook(receiver.url, ['task.overdue']);
    await pauseOthers(hook.id);
    const res = await call(admin, 'POST', `/api/webhooks/${hook.id}/test`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ eventType: 'webhook.ping', status: 'pending' });
    receiver.got.length = 0;
    receiver.status = 200;
    expect((await deliverDueWebhooks(t.database, t.keys, FAST)).delivered).toBe(1);
    expect(receiver.got[0]!.headers['x-forecourt-event']).toBe('webhook.ping');
  });

  it('when a payload carries an unmasked phone, or the transaction rolls back, then nothing is queued', async () => {
    const hook = await createHook(receiver.url, ['lead.created']);
    await pauseOthers(hook.id);
    await expect(enqueue('lead.created', { leadId: 'L-5', phone: '13800138000' })).rejects.toThrow(/payload\.phone/);
    await expect(enqueue('lead.created', { lead: { customer: { name: '张三' } } })).rejects.toThrow(/payload\.lead\.customer\.name/);
    await expect(
      withTenant(t.database.db, tenantId(), async (tx) => {
        await enqueueWebhookEvent(tx, tenantId(), 'lead.created', { leadId: 'L-6' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await deliveries(hook.id)).toEqual([]);
  });

  it('when notify runs, then subscribed webhooks get notification.created with ids only, and forwarded kinds go to the WeCom sandbox', async () => {
    const hook = await createHook(receiver.url, ['notification.created']);
    await pauseOthers(hook.id);
    const settings = (await call(admin, 'GET', '/api/settings/wecom')).json();
    expect(settings).toEqual({ mode: 'sandbox', kinds: [], version: 1 });
    const put = await call(admin, 'PUT', '/api/settings/wecom', { version: 1, kinds: ['lead.sla_breached'] });
    expect(put.json()).toEqual({ mode: 'sandbox', kinds: ['lead.sla_breached'], version: 2 });
    expect((await call(admin, 'PUT', '/api/settings/wecom', { version: 1, kinds: [] })).statusCode).toBe(409);
    expect((await call(admin, 'PUT', '/api/settings/wecom', { version: 2, kinds: ['Bad Kind'] })).statusCode).toBe(400);

    await withTenant(t.database.db, tenantId(), (tx) =>
      notify(tx, tenantId(), [
        { userId: manager.me.user.id, kind: 'lead.sla_breached', title: '线索超时：王女士', link: '/leads/9' },
        { userId: admin.me.user.id, kind: 'lead.assigned', title: '新线索：李先生' },
      ]),
    );
    const log = await deliveries(hook.id);
    expect(log).toHaveLength(2);
    for (const d of log) expect(d.eventType).toBe('notification.created');
    const payloads = await rowsOf<{ payload: Record<string, unknown> }>(
      t.database.db,
      sql`select payload from webhook_deliveries where webhook_id = ${hook.id}::uuid`,
    );
    expect(JSON.stringify(payloads)).not.toMatch(/王女士|李先生/);
    expect(payloads.map((p) => p.payload.kind).sort()).toEqual(['lead.assigned', 'lead.sla_breached']);

    const sandbox = new SandboxWecomMessenger();
    expect(await sendQueuedWecomMessages(t.database, sandbox)).toEqual({ sent: 1, failed: 0 });
    expect(sandbox.sent).toHaveLength(1);
    expect(sandbox.sent[0]).toMatchObject({ toUserIds: ['sha01.manager'] });
    expect(sandbox.sent[0]!.text).toContain('线索超时：王女士');
    const outbox = (await call(admin, 'GET', '/api/wecom-messages')).json().items;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ kind: 'lead.sla_breached', status: 'sent', mode: 'sandbox', toUserIds: ['sha01.manager'] });
    expect(await sendQueuedWecomMessages(t.database, sandbox)).toEqual({ sent: 0, failed: 0 });
  });

  it('when jitter is drawn, then the wait stays within ±20 % of the schedule', () => {
    expect(backoffSeconds([30, 120], 1, () => 0)).toBe(24);
    expect(backoffSeconds([30, 120], 1, () => 1)).toBe(36);
    expect(backoffSeconds([30, 120], 2, () => 0.5)).toBe(120);
  });
});
