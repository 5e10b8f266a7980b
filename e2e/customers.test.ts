import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { login, openBrowser, shot, startServer } from './harness.js';

let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

const PHONE = '13912345678';

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
  it('an admin connects a source, watches events arrive in the debugger, finds the person, reveals and erases them', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('welcome').waitFor();

      // A source, created in the console; its write key is shown once.
      await page.getByTestId('nav-/customers/sources').click();
      await page.getByTestId('source-create').click();
      await page.getByTestId('source-name').fill('官网 E2E');
      await page.getByTestId('source-submit').click();
      const writeKey = (await page.getByTestId('source-writekey').innerText()).trim();
      assert.ok(writeKey.length > 20, `a write key is shown, got "${writeKey}"`);
      assert.match(await page.getByTestId('source-snippet').innerText(), /forecourt\.load\('.+', \{ host: location\.origin \}\)/);
      await shot(page, 'source-created-zh');
      await page.getByTestId('source-done').click();
      await page.getByTestId('source-writekey').waitFor({ state: 'hidden' });
      assert.ok(!(await page.getByTestId('sources-table').innerText()).includes(writeKey), 'listed without its key');

      // Events from "a website".
      const res = await fetch(`${server.baseUrl}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
        body: JSON.stringify({
          batch: [
            { type: 'page', anonymousId: 'anon-e2e-1', name: '车型页', properties: { path: '/models/x5' } },
            { type: 'identify', anonymousId: 'anon-e2e-1', userId: 'u-e2e-1', traits: { name: '王小明', phone: PHONE, city: '上海' } },
            { type: 'identify', userId: 'u-e2e-bad', traits: { phone: '12345' } },
          ],
        }),
      });
      const text = await res.text();
      assert.equal(res.status, 200, `POST /v1/batch answered ${res.status}: ${text}`);
      const answer = JSON.parse(text) as { accepted: number; rejected: { index: number; reason: string }[] };
      assert.equal(answer.accepted, 2, `accepted: ${text}`);
      assert.deepEqual(
        answer.rejected.map((r) => `${r.index}:${r.reason}`),
        ['2:invalid_phone'],
      );

      // The debugger polls and shows both outcomes.
      await page.getByTestId('source-debugger').first().click();
      const table = page.getByTestId('debugger-table');
      await table.getByTestId('debugger-row-accepted').first().waitFor();
      await table.getByTestId('debugger-row-rejected').filter({ hasText: 'invalid_phone' }).waitFor();
      await shot(page, 'debugger-zh');

      // The person is found by phone once the pipeline has processed the messages.
      await page.getByTestId('nav-/customers').click();
      await page.getByTestId('customers-table').waitFor();
      const deadline = Date.now() + 20_000;
      while ((await search(page, PHONE)) === 0) {
        assert.ok(Date.now() < deadline, `GET /api/customers?q=${PHONE} found nobody within 20 s`);
        await page.waitForTimeout(500);
      }
      assert.equal(await page.getByTestId('customer-row').count(), 1);
      assert.match(await page.getByTestId('customer-row').innerText(), /王小明[\s\S]*139\*\*\*\*5678[\s\S]*上海/);
      await shot(page, 'customers-zh');

      // The 360 page: masked, with the timeline; a reveal shows the number.
      await page.getByTestId('customer-row').click();
      await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
      const identities = page.getByTestId('identities');
      await identities.getByText('139****5678').waitFor();
      assert.ok(!(await identities.innerText()).includes(PHONE), 'masked before reveal');
      await page.getByTestId('timeline-item').first().waitFor();
      assert.ok((await page.getByTestId('timeline-item').count()) >= 2, 'page and identify in the timeline');
      await shot(page, 'customer-360-zh');
      await page.getByTestId('reveal').click();
      await identities.getByText(PHONE).waitFor();

      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByTestId('identities').getByText('Identities').waitFor();
      await shot(page, 'customer-360-en');

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
