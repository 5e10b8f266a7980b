import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, openBrowser, shot, startServer } from './harness.js';

let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

describe('lead platform field mapping', () => {
  it('an admin maps a platform’s JSON to lead fields, tries it on a sample, saves it, and the platform’s next push becomes a lead', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('nav-/customers/sources').click();
      await page.getByTestId('source-create').click();
      await page.getByTestId('source-name').fill('懂车帝 推送 E2E');
      await page.getByTestId('source-kind').click();
      await page.getByTitle('线索平台（汽车之家/懂车帝等）').click();
      await page.getByTestId('source-submit').click();
      const writeKey = (await page.getByTestId('source-writekey').innerText()).trim();
      await page.getByTestId('source-done').click();

      await page.getByTestId('sources-table').locator('tr', { hasText: '懂车帝 推送 E2E' }).getByTestId('source-mapping').click();
      // The template and its sample are filled in; a broken path is refused with the field named.
      const mapping = page.getByTestId('mapping-json');
      await mapping.waitFor();
      const template = await mapping.inputValue();
      await mapping.fill(template.replace('"mobile"', '"user..mobile"'));
      await page.getByTestId('mapping-preview').click();
      await page.getByTestId('mapping-error').getByText('customer.phone').waitFor();
      await mapping.fill(template);
      await page.getByTestId('mapping-preview').click();
      await page.getByTestId('mapping-result').getByText('韩梅梅').waitFor();
      await shot(page, 'lead-mapping-zh');
      await page.getByTestId('mapping-save').click();
      await page.getByTestId('mapping-json').waitFor({ state: 'hidden' });

      const push = {
        data: { list: [{ clue_id: 'DCD-E2E-1', user_name: '林小雨', mobile: '13700138777', series_name: '星驰 X5', city_name: '上海市' }] },
      };
      const res = await fetch(`${server.baseUrl}/v1/leads`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify(push),
      });
      assert.equal(res.status, 200, await res.clone().text());
      await page.getByTestId('nav-/leads').click();
      await page.getByTestId('leads-search').fill('林小雨');
      await page.getByTestId('leads-search').press('Enter');
      await page.getByTestId('lead-row').filter({ hasText: '林小雨' }).waitFor();
    } finally {
      await b.close();
    }
  });
});
