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

describe('One ID rules', () => {
  it('an OEM admin changes visibility, a guardrail and an identity type; the rules persist and a stale editor is told', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('welcome').waitFor();
      await page.getByTestId('nav-/settings/customer-data').click();
      await page.getByTestId('cdp-version').getByText('默认规则（从未修改）').waitFor();
      assert.equal(await page.getByTestId('cdp-save').isDisabled(), true, 'nothing to save yet');

      await page.getByTestId('cdp-visibility').getByText('所有门店都能看到本租户的全部客户').click();
      await page.getByTestId('cdp-max-merge').fill('5');
      // E-mail: from "any number" to one per profile.
      const email = page.getByTestId('cdp-type-email');
      await email.getByTestId('cdp-type-unlimited').click();
      await email.getByTestId('cdp-type-max').waitFor();
      await page.getByTestId('cdp-new-trait').fill('budget');
      await page.getByTestId('cdp-add-trait').click();
      await page.getByTestId('cdp-trait-rules').getByText('budget').waitFor();
      await shot(page, 'cdp-settings-zh');

      // Meanwhile someone else saves (through the API, with the same starting version).
      const me = (await (await page.request.get(`${server.baseUrl}/api/auth/me`)).json()) as { csrfToken: string };
      const current = (await (await page.request.get(`${server.baseUrl}/api/settings/customer-data`)).json()) as {
        version: number;
        settings: { sharedAfterConflicts: number };
      };
      const other = await page.request.put(`${server.baseUrl}/api/settings/customer-data`, {
        headers: { 'x-csrf-token': me.csrfToken },
        data: { version: current.version, settings: { ...current.settings, sharedAfterConflicts: 7 } },
      });
      assert.equal(other.status(), 200, await other.text());

      await page.getByTestId('cdp-save').click();
      await page.getByText('在您打开页面之后，有人已保存过这些规则。请刷新后重新修改。').waitFor();

      // Reload, apply the change again, save.
      await page.reload();
      await page.getByTestId('cdp-shared-after').waitFor();
      assert.equal(await page.getByTestId('cdp-shared-after').inputValue(), '7', 'the other save is shown');
      await page.getByTestId('cdp-visibility').getByText('所有门店都能看到本租户的全部客户').click();
      await page.getByTestId('cdp-max-merge').fill('5');
      await page.getByTestId('cdp-max-merge').blur();
      await page.getByTestId('cdp-save').click();
      await page.getByText('规则已保存，从下一批开始生效。').waitFor();

      await page.reload();
      await page.getByTestId('cdp-max-merge').waitFor();
      assert.equal(await page.getByTestId('cdp-max-merge').inputValue(), '5');
      assert.equal(await page.getByTestId('cdp-visibility').locator('input[value="tenant"]').isChecked(), true);
      await page
        .getByTestId('cdp-version')
        .getByText(/最近保存于/)
        .waitFor();

      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByText('Merge guardrails').waitFor();
      await shot(page, 'cdp-settings-en');
    } finally {
      await b.close();
    }
  });
});
