import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, logout, navLabels, openBrowser, shot, startServer } from './harness.js';

let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

describe('console', () => {
  it('an OEM admin sees the whole tenant, creates an API key once, finds their login in the audit log, and keeps English across sign-ins', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('welcome').waitFor();
      assert.deepEqual(await navLabels(page), [
        '首页',
        '客户',
        '客户列表',
        '重复客户',
        '导入',
        '数据源',
        '线索',
        '工作台',
        '线索列表',
        '新建线索',
        '设置',
        '组织架构',
        '用户',
        '角色权限',
        'One ID 规则',
        '分配规则',
        '线索设置',
        'API 密钥',
        'Webhook 与企业微信',
        '审计日志',
      ]);
      assert.match(await page.getByTestId('scope-sentence').innerText(), /整个企业/);
      await shot(page, 'home-admin-zh');

      await page.getByTestId('nav-/settings/org').click();
      await page.getByTestId('org-tree').waitFor();
      for (const code of ['SHA01', 'HGH01', 'NKG01', 'SZV01', 'CAN01', 'SZX01', 'XMN01', 'CSX01', 'PEK01', 'TSN01', 'TAO01', 'SJW01']) {
        await page.getByTestId(`org-node-${code}`).waitFor();
      }
      await page.getByTestId('org-node-SHA01').click();
      await page.getByTestId('org-detail').getByText('浦东新区张杨路 1500 号').waitFor();
      await shot(page, 'org-admin-zh');

      await page.getByTestId('nav-/settings/users').click();
      await page.getByTestId('user-login').first().waitFor();
      const logins = await page.getByTestId('user-login').allInnerTexts();
      assert.ok(logins.some((l) => l.startsWith('pek01.')) && logins.some((l) => l.startsWith('sha01.')), 'users from several stores');
      assert.ok(!(await page.getByTestId('users-table').innerText()).match(/1[3-9]\d{9}/), 'no full phone number on screen');
      await shot(page, 'users-admin-zh');

      await page.getByTestId('nav-/settings/roles').click();
      await page.getByTestId('roles-matrix').getByText('审计日志').first().waitFor();
      await shot(page, 'roles-zh');

      await page.getByTestId('nav-/settings/api-keys').click();
      await page.getByTestId('apikey-create').click();
      await page.getByTestId('apikey-name').fill('DMS 同步');
      await page.getByTestId('apikey-submit').click();
      const secret = (await page.getByTestId('apikey-secret').innerText()).trim();
      assert.match(secret, /^fc_[a-z0-9]{10}_[A-Za-z0-9_-]{40,}$/);
      await shot(page, 'apikey-created-zh');
      await page.getByTestId('apikey-done').click();
      await page.getByTestId('apikey-secret').waitFor({ state: 'hidden' });
      const table = await page.getByTestId('apikeys-table').innerText();
      assert.ok(table.includes('DMS 同步') && !table.includes(secret.slice(secret.indexOf('_', 3) + 1)), 'listed without its secret');
      const res = await fetch(`${server.baseUrl}/api/org/units`, { headers: { authorization: `Bearer ${secret}` } });
      assert.equal(res.status, 200, 'the key shown works');

      await page.getByTestId('nav-/settings/audit').click();
      await page.getByTestId('audit-table').getByText('auth.login').first().waitFor();
      await page.getByTestId('audit-table').getByText('api_key.created').first().waitFor();
      await shot(page, 'audit-zh');

      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByTestId('side-nav').getByText('Audit log').waitFor();
      assert.deepEqual(await navLabels(page), [
        'Home',
        'Customers',
        'Customers',
        'Duplicates',
        'Imports',
        'Sources',
        'Leads',
        'Workbench',
        'Leads',
        'New lead',
        'Settings',
        'Organisation',
        'Users',
        'Roles & permissions',
        'One ID rules',
        'Routing rules',
        'Lead settings',
        'API keys',
        'Webhooks & WeCom',
        'Audit log',
      ]);
      await shot(page, 'audit-en');
      await page.getByTestId('nav-/settings/users').click();
      await page.getByTestId('user-login').first().waitFor();
      await shot(page, 'users-admin-en');
      await page.getByTestId('nav-/settings/org').click();
      await page.getByTestId('org-node-SHA01').click();
      await shot(page, 'org-admin-en');

      await logout(page);
      await page.evaluate(() => localStorage.clear()); // the server, not the browser, must remember
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('side-nav').getByText('Organisation').waitFor();
      assert.match(await page.getByTestId('welcome').innerText(), /^Hello, /);
    } finally {
      await b.close();
    }
  });

  it('a store manager sees only their store: its users and its branch of the tree, and no API keys or audit log', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'sha01.manager');
      await page.getByTestId('welcome').waitFor();
      assert.deepEqual(await navLabels(page), [
        '首页',
        '客户',
        '客户列表',
        '重复客户',
        '导入',
        '线索',
        '工作台',
        '线索列表',
        '新建线索',
        '设置',
        '组织架构',
        '用户',
        '角色权限',
      ]);
      await page.getByTestId('nav-/settings/users').click();
      await page.getByTestId('user-login').first().waitFor();
      const logins = await page.getByTestId('user-login').allInnerTexts();
      assert.equal(logins.length, 6);
      assert.ok(
        logins.every((l) => l.startsWith('sha01.')),
        `only SHA01 users, got ${logins.join(', ')}`,
      );
      await shot(page, 'users-store-manager-zh');

      // creates a consultant in the store's team
      await page.getByTestId('user-create').click();
      await page.getByTestId('user-form-login').fill('sha01.sales4');
      await page.getByTestId('user-form-name').fill('王小明');
      await page.getByTestId('user-form-unit').click();
      await page.locator('.ant-select-tree-title', { hasText: 'SHA01-T1' }).click();
      await page.getByTestId('user-form-password').fill('Welcome2026x');
      await page.getByTestId('user-save').click();
      await page.getByTestId('users-table').getByText('sha01.sales4').waitFor();

      await page.getByTestId('nav-/settings/org').click();
      await page.getByTestId('org-node-SHA01').waitFor();
      assert.equal(await page.getByTestId('org-node-PEK01').count(), 0);
      await shot(page, 'org-store-manager-zh');
    } finally {
      await b.close();
    }
  });

  it('a consultant has no administration pages, and a typed-in URL explains the missing permission', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'sha01.sales1');
      await page.getByTestId('welcome').waitFor();
      assert.deepEqual(await navLabels(page), ['首页', '客户', '客户列表', '线索', '工作台', '线索列表', '新建线索', '设置', '组织架构']);
      await page.goto(`${server.baseUrl}/settings/users`);
      await page.getByTestId('no-permission').waitFor();
      await shot(page, 'no-permission-zh');
    } finally {
      await b.close();
    }
  });

  it('a wrong password shows the reason on the login page', async () => {
    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'admin', 'not-the-password');
      const error = await page.getByTestId('login-error').innerText();
      assert.match(error, /企业代码、账号或密码错误/);
      await shot(page, 'login-error-zh');
    } finally {
      await b.close();
    }
  });
});
