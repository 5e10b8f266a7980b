import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Analytics } from '@segment/analytics-node';
import type { Page } from 'playwright-core';
import { login, openBrowser, shot, startServer } from './harness.js';

let server: Awaited<ReturnType<typeof startServer>>;
/** A dealer's website on another origin, with the snippet the console showed pasted into its page. */
let site: { url: string; setSnippet(html: string): void; close(): Promise<void> };

before(async () => {
  server = await startServer();
  let snippet = '';
  const httpServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html><head><meta charset="utf-8"><title>某某4S店 - 车型</title>${snippet}</head><body><h1>X5 车型页</h1></body></html>`,
    );
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  site = {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/models/x5`,
    setSnippet: (html) => (snippet = html),
    close: () => new Promise((resolve) => httpServer.close(() => resolve())),
  };
});
after(async () => {
  await site?.close();
  await server?.stop();
});

const PHONE = '13952345678';

/** Searches the customer list and waits for the server's answer; returns the number of rows shown. */
async function search(page: Page, q: string): Promise<number> {
  const input = page.getByTestId('customer-search');
  await input.fill(q);
  const answer = page.waitForResponse((r) => r.url().includes('/api/customers?') && r.url().includes(`q=${q}`));
  await input.press('Enter');
  const res = await answer;
  assert.equal(res.status(), 200, `GET ${res.url()} answered ${res.status()}: ${await res.text()}`);
  await page.waitForTimeout(100); // let React render the answer
  return page.getByTestId('customer-row').count();
}

describe('customers', () => {
  it('an admin connects a source; the browser script and analytics-node send; the merged person is found, unmerged, exported and erased', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('welcome').waitFor();

      // A source, created in the console; its write key and snippet are shown once.
      await page.getByTestId('nav-/customers/sources').click();
      await page.getByTestId('source-create').click();
      await page.getByTestId('source-name').fill('官网 E2E');
      await page.getByTestId('source-submit').click();
      const writeKey = (await page.getByTestId('source-writekey').innerText()).trim();
      assert.ok(writeKey.length > 20, `a write key is shown, got "${writeKey}"`);
      const snippet = await page.getByTestId('source-snippet').innerText();
      assert.ok(snippet.includes(`forecourt.load('${writeKey}', { host: '${server.baseUrl}' })`), `snippet names key and host: ${snippet}`);
      await shot(page, 'source-created-zh');
      await page.getByTestId('source-done').click();
      await page.getByTestId('source-writekey').waitFor({ state: 'hidden' });
      assert.ok(!(await page.getByTestId('sources-table').innerText()).includes(writeKey), 'listed without its key');

      // 1. A visitor opens the dealer's website, which carries the pasted snippet: an anonymous page view.
      site.setSnippet(snippet);
      const visitor = await b.context.newPage();
      const pageView = visitor.waitForResponse((r) => r.url() === `${server.baseUrl}/v1/batch` && r.request().method() === 'POST');
      await visitor.goto(site.url);
      await visitor.waitForFunction('window.forecourt && window.forecourt.initialized === true');
      await visitor.evaluate('window.forecourt.flush()');
      const pageViewRes = await pageView;
      assert.equal(pageViewRes.status(), 200, `the script's batch answered ${pageViewRes.status()}: ${await pageViewRes.text()}`);
      const anonymousId = (await visitor.evaluate('window.forecourt.user().anonymousId')) as string;
      assert.ok(anonymousId, 'the script made an anonymous id');

      // 2. The CRM sends the same person, known by phone, through an unchanged Segment client.
      const analytics = new Analytics({ writeKey, host: server.baseUrl, flushAt: 2, flushInterval: 200 });
      analytics.identify({ userId: 'crm-e2e-1', traits: { name: '王小明', phone: PHONE, city: '上海' } });
      analytics.track({ userId: 'crm-e2e-1', event: 'Test Drive Booked', properties: { series: 'X5' } });
      await analytics.closeAndFlush({ timeout: 10_000 });

      // A bad message is rejected with its reason, the rest of the batch goes in.
      const res = await fetch(`${server.baseUrl}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
        body: JSON.stringify({ batch: [{ type: 'identify', userId: 'u-e2e-bad', traits: { phone: '12345' } }] }),
      });
      const text = await res.text();
      assert.equal(res.status, 200, `POST /v1/batch answered ${res.status}: ${text}`);
      const answer = JSON.parse(text) as { accepted: number; rejected: { index: number; reason: string }[] };
      assert.deepEqual(
        answer.rejected.map((r) => `${r.index}:${r.reason}`),
        ['0:invalid_phone'],
      );

      // The debugger polls and shows both outcomes, the script's page view among them.
      // The demo tenant has lead sources of its own: open the debugger of the one made above.
      await page.getByTestId('sources-table').locator('tr', { hasText: '官网 E2E' }).getByTestId('source-debugger').click();
      const table = page.getByTestId('debugger-table');
      await table.getByTestId('debugger-row-accepted').filter({ hasText: 'Test Drive Booked' }).waitFor();
      await table.getByTestId('debugger-row-accepted').filter({ hasText: 'page' }).first().waitFor();
      await table.getByTestId('debugger-row-rejected').filter({ hasText: 'invalid_phone' }).waitFor();
      await shot(page, 'debugger-zh');

      // The person is found by phone once the pipeline has processed the messages.
      await page.getByTestId('nav-/customers').click();
      await page.getByTestId('customers-table').waitFor();
      await waitForSearch(page, PHONE);

      // 3. The visitor leaves their phone on the website: the anonymous visitor and the CRM's customer are one person.
      const identified = visitor.waitForResponse((r) => r.url() === `${server.baseUrl}/v1/batch` && r.status() === 200);
      await visitor.evaluate(
        `window.forecourt.identify({ phone: '${PHONE}' }); window.forecourt.track('预约试驾', { series: 'X5' }); window.forecourt.flush()`,
      );
      await identified;

      await search(page, PHONE);
      assert.equal(await page.getByTestId('customer-row').count(), 1);
      assert.match(await page.getByTestId('customer-row').innerText(), /王小明[\s\S]*139\*\*\*\*5678[\s\S]*上海/);
      await shot(page, 'customers-zh');

      // The 360 page: masked, with the merge and one timeline holding both sources' events.
      await page.getByTestId('customer-row').click();
      await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
      const deadline = Date.now() + 20_000;
      while ((await page.getByTestId('merge-item').count()) === 0) {
        assert.ok(Date.now() < deadline, 'the website visitor was not merged into the customer within 20 s');
        await page.waitForTimeout(500);
        await page.reload();
        await page.getByTestId('identities').waitFor();
      }
      const identities = page.getByTestId('identities');
      await identities.getByText('139****5678').waitFor();
      assert.ok(!(await identities.innerText()).includes(PHONE), 'masked before reveal');
      const timeline = page.getByTestId('timeline');
      await timeline.getByText('Test Drive Booked').waitFor();
      await timeline.getByText('预约试驾').waitFor();
      assert.ok((await page.getByTestId('timeline-item').count()) >= 4, 'page view, identifies and tracks from both sources');
      await shot(page, 'customer-360-zh');
      await page.getByTestId('reveal').click();
      await identities.getByText(PHONE).waitFor();

      // Unmerge: the website visitor becomes their own profile again.
      await page.getByTestId('unmerge').click();
      const unmerged = page.waitForResponse((r) => r.url().endsWith('/unmerge'));
      await page.locator('.ant-popconfirm').getByRole('button').last().click();
      const unmergeRes = await unmerged;
      assert.equal(unmergeRes.status(), 200, `unmerge answered ${unmergeRes.status()}: ${await unmergeRes.text()}`);
      await page.getByTestId('merge-item').getByText('已拆分').waitFor();

      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByTestId('identities').getByText('Identities').waitFor();
      await shot(page, 'customer-360-en');

      // The phone now finds the CRM's customer alone, without the website visitor's page view.
      await page.getByTestId('nav-/customers').click();
      await page.getByTestId('customers-table').waitFor();
      assert.equal(await search(page, PHONE), 1);
      await page.getByTestId('customer-row').click();
      await page.getByTestId('customer-name').getByText('王小明').waitFor();
      await timeline.getByText('Test Drive Booked').waitFor();
      assert.equal(await timeline.getByText('/models/x5').count(), 0, 'the page view went back to the visitor');

      // Data-subject export: everything about the person as JSON.
      const download = page.waitForEvent('download');
      await page.getByTestId('personal-data-export').click();
      const file = await (await download).path();
      const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      const exportedText = JSON.stringify(exported);
      assert.ok(
        exportedText.includes(PHONE) && exportedText.includes('王小明'),
        `the export holds the person’s data: ${exportedText.slice(0, 500)}`,
      );
      assert.ok(exportedText.includes('Test Drive Booked'), 'the export holds their events');

      // Erasure, then the search no longer finds the person.
      await page.getByTestId('erase').click();
      assert.equal(await page.getByTestId('erase-confirm').isDisabled(), true, 'needs the name typed');
      await page.getByTestId('erase-confirm-input').fill('王小明');
      const erased = page.waitForResponse((r) => r.url().endsWith('/erase'));
      await page.getByTestId('erase-confirm').click();
      const eraseRes = await erased;
      assert.equal(eraseRes.status(), 200, `POST ${eraseRes.url()} answered ${eraseRes.status()}: ${await eraseRes.text()}`);
      await page.waitForURL(/\/customers$/);
      assert.equal(await search(page, PHONE), 0, 'erased person is not found');
      await shot(page, 'customers-after-erase-en');
    } finally {
      await b.close();
    }
  });
});

/** Searches until the pipeline has processed the person, at most 20 s. */
async function waitForSearch(page: Page, q: string) {
  const deadline = Date.now() + 20_000;
  while ((await search(page, q)) === 0) {
    assert.ok(Date.now() < deadline, `GET /api/customers?q=${q} found nobody within 20 s`);
    await page.waitForTimeout(500);
  }
}
