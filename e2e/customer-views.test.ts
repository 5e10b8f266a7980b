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

const PEOPLE = [
  { userId: 'v-1', traits: { name: '陈静', phone: '13711110001', city: '上海' } },
  { userId: 'v-2', traits: { name: '刘洋', phone: '13711110002', city: '上海' } },
  { userId: 'v-3', traits: { name: '黄磊', phone: '13711110003', city: '北京' } },
];

/** Sends three customers through a source made with the signed-in admin's session. */
async function sendCustomers(page: Page) {
  const me = (await (await page.request.get(`${server.baseUrl}/api/auth/me`)).json()) as { csrfToken: string };
  const src = await page.request.post(`${server.baseUrl}/api/sources`, {
    headers: { 'x-csrf-token': me.csrfToken },
    data: { name: 'CRM 视图', kind: 'dms' },
  });
  assert.equal(src.status(), 201, await src.text());
  const { writeKey } = (await src.json()) as { writeKey: string };
  const res = await fetch(`${server.baseUrl}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
    body: JSON.stringify({ batch: PEOPLE.map((p) => ({ type: 'identify', ...p })) }),
  });
  assert.equal(res.status, 200, await res.text());
}

async function rowsShown(page: Page, expected: number) {
  const deadline = Date.now() + 20_000;
  let n = -1;
  while (Date.now() < deadline) {
    n = await page.getByTestId('customer-row').count();
    if (n === expected) return;
    await page.waitForTimeout(250);
  }
  assert.equal(n, expected, 'rows shown in the customer list');
}

describe('customer list views', () => {
  it('a manager filters the list, saves the filters as a view, and gets them back after a reload', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('welcome').waitFor();
      await sendCustomers(page);

      await page.getByTestId('nav-/customers').click();
      await page.getByTestId('customers-table').waitFor();
      // The pipeline is asynchronous: reload until all three have arrived.
      const deadline = Date.now() + 20_000;
      while ((await page.getByTestId('customer-row').count()) < 3) {
        assert.ok(Date.now() < deadline, 'three customers within 20 s');
        await page.waitForTimeout(500);
        await page.reload();
        await page.getByTestId('customers-table').waitFor();
      }
      assert.equal(await page.getByTestId('save-view').isDisabled(), true, 'nothing to save without a filter');

      await page.getByTestId('customer-city').fill('上海');
      await page.getByTestId('customer-city').press('Enter');
      await rowsShown(page, 2);
      assert.ok(!(await page.getByTestId('customers-table').innerText()).includes('黄磊'));

      await page.getByTestId('save-view').click();
      await page.getByTestId('save-view-name').fill('上海客户');
      await page.getByTestId('save-view-ok').click();
      await page.getByText('已保存“上海客户”。').waitFor();
      await shot(page, 'customer-views-zh');

      await page.getByTestId('clear-filters').click();
      await rowsShown(page, 3);

      await page.reload();
      await page.getByTestId('customers-table').waitFor();
      await rowsShown(page, 3);
      await page.getByTestId('saved-views').click();
      await page.getByTestId('saved-view-option').filter({ hasText: '上海客户' }).click();
      await rowsShown(page, 2);
      assert.equal(await page.getByTestId('customer-city').inputValue(), '上海', 'the view fills the filter inputs');

      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByText('Save view').waitFor();
      await shot(page, 'customer-views-en');
      await page.getByTestId('saved-views').click();
      await page.getByTestId('saved-view-delete').click();
      await page.getByText('Deleted “上海客户”.').waitFor();
      await page.getByTestId('saved-views').click();
      await page.getByText('No saved views yet').waitFor();
    } finally {
      await b.close();
    }
  });
});
