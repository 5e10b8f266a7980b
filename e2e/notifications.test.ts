import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { login, openBrowser, shot, startServer } from './harness.js';

/** A receiver on a fixed port that can be taken down and brought back, remembering what it got. */
class Receiver {
  got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  private server: http.Server | null = null;
  port = 0;

  async up(port = 0) {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += String(d)));
      req.on('end', () => {
        this.got.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down() {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

let server: Awaited<ReturnType<typeof startServer>>;
const receiver = new Receiver();
before(async () => {
  // Three attempts with no wait between them, so a dead letter happens within one job run.
  process.env.FORECOURT_WEBHOOK_RETRY_SECONDS = '0,0';
  // The test's receiver listens on 127.0.0.1: a private address, which webhooks may only call when the operator allows it.
  server = await startServer({ env: { FORECOURT_WEBHOOK_PRIVATE_NETWORKS: 'allow' } });
  delete process.env.FORECOURT_WEBHOOK_RETRY_SECONDS;
  await receiver.up();
  await receiver.down(); // the port is now closed: the receiver is "down"
});
after(async () => {
  await receiver.down();
  await server?.stop();
});

/** Clicks reload in the delivery log until the newest delivery has `status`. */
async function waitForDelivery(page: Page, status: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const first = page.getByTestId('delivery-row').first();
    if ((await first.count()) > 0 && (await first.getAttribute('data-status')) === status) return;
    assert.ok(Date.now() < deadline, `a delivery became ${status} within 30 s`);
    await page.waitForTimeout(500);
    await page.getByTestId('deliveries-reload').click();
  }
}

describe('notifications and webhooks', () => {
  it('an admin adds a webhook to a receiver that is down, sees the delivery die, is told by the bell, and re-queues it once the receiver is back', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('welcome').waitFor();
      await page.getByTestId('nav-/settings/webhooks').click();
      await page.getByTestId('webhooks-table').waitFor();

      // Not an http(s) URL: refused, naming the field.
      await page.getByTestId('webhook-create').click();
      await page.getByTestId('webhook-name').fill('短信网关');
      await page.getByTestId('webhook-url').fill('ftp://127.0.0.1/hook');
      await page.getByTestId('webhook-submit').click();
      await page.getByText(/url/).first().waitFor();

      await page.getByTestId('webhook-url').fill(`http://127.0.0.1:${receiver.port}/forecourt`);
      await page.getByTestId('webhook-submit').click();
      const secret = (await page.getByTestId('webhook-secret').innerText()).trim();
      assert.match(secret, /^whsec_[A-Za-z0-9_-]{20,}$/);
      await shot(page, 'webhook-created-zh');
      await page.getByTestId('webhook-done').click();
      await page.getByTestId('webhook-secret').waitFor({ state: 'hidden' });
      assert.ok(!(await page.getByTestId('webhooks-table').innerText()).includes(secret), 'listed without its secret');

      // An event for a receiver that is down: three attempts, then a dead letter.
      await page.getByTestId('webhook-test').click();
      await page.getByTestId('webhook-deliveries').click();
      await page.getByTestId('deliveries-table').waitFor();
      await waitForDelivery(page, 'dead');
      const row = await page.getByTestId('delivery-row').first().innerText();
      assert.match(row, /死信/);
      assert.match(row, /ECONNREFUSED/);
      await shot(page, 'webhook-dead-zh');

      // The bell (polled every 30 s; a reload asks at once) shows the alert about the dead letter.
      await page.goto(`${server.baseUrl}/`);
      await page.getByTestId('welcome').waitFor();
      const count = page.getByTestId('notification-count').locator('.ant-scroll-number');
      await count.waitFor();
      assert.equal((await count.innerText()).trim(), '1');
      await page.getByTestId('notification-bell').click();
      const item = page.getByTestId('notification-item').first();
      await item.waitFor();
      assert.equal(await item.getAttribute('data-read'), 'false');
      assert.match(await item.innerText(), /短信网关/);
      await shot(page, 'notification-bell-zh');

      // Clicking it marks it read and opens the webhook's delivery log.
      await item.click();
      await page.waitForURL(/\/settings\/webhooks\?webhook=/);
      await page.getByTestId('deliveries-table').waitFor();
      await count.waitFor({ state: 'hidden' });
      const unread = (await (await page.request.get(`${server.baseUrl}/api/notifications/unread-count`)).json()) as { count: number };
      assert.equal(unread.count, 0);

      // The receiver is back on the same port; the dead letter is re-queued and delivered, signed.
      await receiver.up(receiver.port);
      await page.getByTestId('delivery-retry').first().click();
      await waitForDelivery(page, 'delivered');
      await shot(page, 'webhook-retried-zh');
      assert.equal(receiver.got.length, 1);
      const { headers, body } = receiver.got[0]!;
      assert.equal(headers['x-forecourt-event'], 'webhook.ping');
      const expected = createHmac('sha256', secret)
        .update(`${String(headers['x-forecourt-timestamp'])}.${body}`)
        .digest('hex');
      assert.equal(headers['x-forecourt-signature'], `sha256=${expected}`);

      await page.keyboard.press('Escape'); // close the delivery log
      await page.getByTestId('deliveries-table').waitFor({ state: 'hidden' });
      await page.getByTestId('notification-bell').click();
      await page.getByTestId('notifications-all').click();
      await page.getByTestId('notification-row').first().waitFor();
      await page.getByTestId('notification-panel').waitFor({ state: 'hidden' });
      assert.equal(await page.getByTestId('notification-row').first().getAttribute('data-read'), 'true');
      await shot(page, 'notifications-page-zh');

      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByTestId('nav-/settings/webhooks').click();
      await page.getByText('WeCom app messages').waitFor();
      await shot(page, 'webhooks-en');

      // The secret leaked: rotate it. The new one is shown once, and the next delivery is signed with it.
      await page.getByTestId('webhook-rotate').click();
      await page.getByTestId('webhook-rotate-ok').click();
      await page.getByText('New signing secret').waitFor();
      const rotated = (await page.getByTestId('webhook-secret').innerText()).trim();
      assert.match(rotated, /^whsec_/);
      assert.notEqual(rotated, secret);
      await page.getByTestId('webhook-rotate-ok').waitFor({ state: 'hidden' });
      await page.waitForTimeout(400); // the dialog's opening animation, for the screenshot
      await shot(page, 'webhook-rotated-en');
      await page.getByTestId('webhook-done').click();
      await page.getByTestId('webhook-test').click();
      for (const deadline = Date.now() + 30_000; receiver.got.length < 2; await page.waitForTimeout(250))
        assert.ok(Date.now() < deadline, 'the test event reached the receiver within 30 s');
      const next = receiver.got[1]!;
      const signedWith = (key: string) =>
        `sha256=${createHmac('sha256', key)
          .update(`${String(next.headers['x-forecourt-timestamp'])}.${next.body}`)
          .digest('hex')}`;
      assert.equal(next.headers['x-forecourt-signature'], signedWith(rotated));
    } finally {
      await b.close();
    }
  });
});
