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

// A dealer's export: Chinese headers, one phone too short on line 3, one e-mail that is not one on line 5.
const CSV = [
  '客户编号,客户姓名,手机号码,邮箱,城市,客户标签,是否同意短信营销',
  'E2E01,周晓明,13822220001,,上海,VIP,是',
  'E2E02,吴丽,1382222,,杭州,,否',
  'E2E03,郑强,13822220003,zhengqiang@163.com,南京,试驾,',
  'E2E04,王芳,13822220004,wangfang#163.com,苏州,,是',
  'E2E05,冯杰,+86 138 2222 0005,,深圳,,同意',
].join('\r\n');

describe('imports', () => {
  it('an admin uploads a CSV with bad rows, maps it, runs it to 100 %, reads the errors by line and finds the customers', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('welcome').waitFor();

      await page.getByTestId('nav-/customers/imports').click();
      await page.getByTestId('imports-table').waitFor();
      await shot(page, 'imports-empty-zh');
      await page.getByTestId('imports-new').click();

      // Choose the file.
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: '客户导出.csv', mimeType: 'text/csv', buffer: Buffer.from('\uFEFF' + CSV) });

      // Mapping: every column suggested from its header; samples are masked.
      const mapping = page.getByTestId('mapping-table');
      await mapping.waitFor();
      assert.match(await page.getByTestId('mapping-field-2').innerText(), /手机号/);
      assert.match(await page.getByTestId('mapping-field-6').innerText(), /授权同意：营销 · 短信/);
      const samples = await mapping.innerText();
      assert.match(samples, /138\*\*\*\*0001/);
      assert.ok(!samples.includes('13822220001'), 'no full phone number in the samples');
      assert.match(samples, /周\*\*/);
      await shot(page, 'import-mapping-zh');
      await page.getByTestId('mapping-next').click();

      // Preview: the bad rows are flagged with their problem.
      const preview = page.getByTestId('preview-table');
      await preview.waitFor();
      assert.equal(await page.getByTestId('preview-row-error').count(), 2);
      assert.equal(await page.getByTestId('preview-row-ok').count(), 3);
      assert.match(await page.getByTestId('preview-error').first().innerText(), /phone: "138\*\*\*\*" is not a Chinese mobile number/);
      await shot(page, 'import-preview-zh');

      // Run: the progress bar reaches 100 % and the job reports its figures.
      await page.getByTestId('import-run').click();
      await page.getByTestId('import-status').filter({ hasText: '已完成' }).waitFor({ timeout: 60_000 });
      assert.match(await page.getByTestId('import-progress').innerText(), /100%/);
      assert.equal(await page.getByTestId('import-ok').innerText(), '3');
      assert.equal(await page.getByTestId('import-errors').innerText(), '2');
      assert.equal(await page.getByTestId('import-duplicates').innerText(), '0');
      assert.match(await page.getByTestId('import-processed').innerText(), /^5 \/ 5$/);

      // The rejected rows, by line number in the file (the header is line 1), and the CSV download.
      const errors = page.getByTestId('import-errors-table');
      await errors.getByTestId('import-error-row').first().waitFor();
      const rows = await errors.getByTestId('import-error-row').allInnerTexts();
      assert.equal(rows.length, 2);
      assert.match(rows[0]!, /^3\s+3\s+手机号\s+138\*\*\*\*\s+phone: .*not a Chinese mobile number/);
      assert.match(rows[1]!, /^5\s+4\s+邮箱\s+.*not an email address/);
      const download = (await page.evaluate(
        `fetch(document.querySelector('[data-testid="import-errors-download"]').getAttribute('href')).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), text: await r.text() }))`,
      )) as {
        status: number;
        type: string;
        text: string;
      };
      assert.equal(download.status, 200);
      assert.match(download.type, /text\/csv/);
      assert.match(download.text, /^\uFEFF?line,column,field,value,message\r\n3,3,phone,/);
      await shot(page, 'import-result-zh');

      // The imported customers are in the customer list.
      await page.getByTestId('import-to-customers').click();
      await page.getByTestId('customers-table').waitFor();
      const search = page.getByTestId('customer-search');
      await search.fill('13822220005');
      const answer = page.waitForResponse((r) => r.url().includes('/api/customers?') && r.url().includes('q=13822220005'));
      await search.press('Enter');
      assert.equal((await answer).status(), 200);
      await page.getByTestId('customer-row').filter({ hasText: '冯杰' }).waitFor();
      assert.match(await page.getByTestId('customer-row').first().innerText(), /138\*\*\*\*0005/);

      // The list of imports, in English.
      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByTestId('nav-/customers/imports').click();
      const list = page.getByTestId('imports-table');
      await list.getByText('客户导出.csv').waitFor();
      assert.match(await list.innerText(), /Done/);
      await shot(page, 'imports-en');
      await list.getByTestId('import-link').first().click();
      await page.getByTestId('import-errors-table').waitFor();
      assert.match(await page.getByTestId('import-status').innerText(), /Done/);
      await shot(page, 'import-result-en');
    } finally {
      await b.close();
    }
  });
});
