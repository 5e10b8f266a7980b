import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, login, logout, openBrowser, shot, startServer } from './harness.js';

let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  // With the demo's lead history: the pages must work among a store's real volume, not only on the test's leads.
  server = await startServer({ demoLeads: 2400 });
});
after(async () => {
  await server?.stop();
});

type Json = Record<string, unknown>;

/** A signed-in API session (cookie + CSRF), for setting the scene the browser then works in. */
async function apiAs(loginName: string) {
  const res = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', login: loginName, password: DEMO_PASSWORD }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const me = (await res.json()) as { csrfToken: string };
  return async <T = Json>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': me.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

interface User {
  id: string;
  login: string;
  displayName: string;
  version: number;
  onDuty: boolean;
}

const prospect = (id: string, name: string, phone: string, model: string) => `
  <prospect status="new">
    <id sequence="1" source="autohome">${id}</id>
    <requestdate>2026-11-24T10:00:00+08:00</requestdate>
    <vehicle interest="buy" status="new"><make>星驰</make><model>${model}</model></vehicle>
    <customer><contact><name part="full">${name}</name><phone type="cellphone">${phone}</phone></contact>
      <comments>想了解落地价和置换政策</comments></customer>
    <provider><name>汽车之家</name><service>询底价</service></provider>
  </prospect>`;

async function sendAdf(writeKey: string, prospects: string[]) {
  const res = await fetch(`${server.baseUrl}/v1/leads/adf`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-adf+xml', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
    body: `<?xml version="1.0" encoding="UTF-8"?><?adf version="1.0"?><adf>${prospects.join('')}</adf>`,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return (JSON.parse(text) as { results: { leadId: string; status: string; ownerUserId: string | null }[] }).results;
}

/** Waits for the lead header to show `stage` (after an action, the page reloads the lead). */
async function stageIs(page: Page, stage: string) {
  await page.locator(`[data-testid="lead-header"] [data-testid="lead-stage"][data-stage="${stage}"]`).waitFor();
}

async function act(page: Page, action: string) {
  await page.getByTestId(`act-${action}`).click();
  await page.getByTestId('lead-action-modal').waitFor();
}

async function submitAction(page: Page) {
  await page.getByTestId('action-submit').click();
  await page.getByTestId('lead-action-modal').waitFor({ state: 'detached' });
}

/** antd puts an InputNumber's test id on the input itself. */
const numberInput = (page: Page, testId: string) => page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();

async function pickOption(page: Page, testId: string, text: string | RegExp) {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first().click();
}

/** Two leads for the DCC agent (A: the buyer, B: a lost cause) and one nobody could take (C). */
interface Scene {
  a: string;
  b: string;
  c: string;
  dcc: User;
  sales1: User;
}
let scene: Scene;

describe('sales console', () => {
  it('an ADF lead reaches the on-duty DCC agent, whose workbench counts down its SLA; a call meets it and a test drive is booked', async () => {
    const admin = await apiAs('admin');
    const units = await admin<{ items: { id: string; code: string }[] }>('GET', '/api/org/units');
    const sha01 = units.body.items.find((u) => u.code === 'SHA01')!;
    const users = (await admin<{ items: User[] }>('GET', `/api/users?orgUnitId=${sha01.id}&limit=200`)).body.items;
    const byLogin = (l: string) => users.find((u) => u.login === l)!;
    const setDuty = async (u: User, onDuty: boolean) => {
      const r = await admin<User>('PATCH', `/api/users/${u.id}`, { onDuty, version: u.version });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      Object.assign(u, r.body);
    };
    // Only the DCC agent is on duty, so round robin has one choice.
    for (const l of ['sha01.sales1', 'sha01.sales2', 'sha01.sales3']) await setDuty(byLogin(l), false);
    await setDuty(byLogin('sha01.dcc'), true);

    const src = await admin<{ writeKey: string }>('POST', '/api/sources', {
      name: '汽车之家 Autohome',
      kind: 'lead_platform',
      orgUnitId: sha01.id,
    });
    assert.equal(src.status, 201, JSON.stringify(src.body));
    const [a, b] = await sendAdf(src.body.writeKey, [
      prospect('AH-1001', '王建国', '13952345678', 'X5'),
      prospect('AH-1002', '李晓梅', '13987654391', 'S7'),
    ]);
    assert.equal(a?.status, 'created');
    assert.equal(a?.ownerUserId, byLogin('sha01.dcc').id, 'routed to the only consultant on duty');
    assert.equal(b?.ownerUserId, byLogin('sha01.dcc').id);
    // A third lead while nobody is on duty waits, unassigned, for the manager.
    await setDuty(byLogin('sha01.dcc'), false);
    const [c] = await sendAdf(src.body.writeKey, [prospect('AH-1003', '张伟', '13711112222', 'X3')]);
    assert.equal(c?.ownerUserId, null);
    await setDuty(byLogin('sha01.dcc'), true);
    scene = { a: a.leadId, b: b.leadId, c: c!.leadId, dcc: byLogin('sha01.dcc'), sales1: byLogin('sha01.sales1') };

    const br = await openBrowser();
    const { page } = br;
    try {
      await login(page, server.baseUrl, 'sha01.dcc');
      await page.getByTestId('welcome').waitFor();
      await page.getByTestId('workbench').waitFor(); // the home page carries the workbench for people who work leads
      await page.getByTestId('nav-/leads/workbench').click();
      const itemA = page.locator(`[data-testid="wb-lead"][data-lead-id="${scene.a}"]`);
      await itemA.waitFor();
      await page.locator(`[data-testid="wb-lead"][data-lead-id="${scene.b}"]`).waitFor();
      const sla = itemA.getByTestId('sla-countdown');
      assert.equal(await sla.getAttribute('data-state'), 'pending');
      const first = await sla.innerText();
      assert.match(first, /^剩余 (\d+天 )?\d{1,2}:\d{2}(:\d{2})?$/);
      await page.waitForTimeout(1500);
      assert.notEqual(await sla.innerText(), first, 'the countdown ticks');
      assert.ok(!(await page.getByTestId('wb-my-leads').innerText()).match(/1[3-9]\d{9}/), 'phones are masked');
      await shot(page, 'leads-workbench-zh');

      // Phone width: the same page, one column, actions still one tap away.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.reload();
      await itemA.waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling at 390 px (overflow ${overflow}px)`);
      await shot(page, 'leads-workbench-390-zh');

      // Log a connected call: two clicks. First contact is on record, so the SLA is met.
      await itemA.getByTestId('wb-call').click();
      await page.getByTestId('action-note').fill('客户本周六有空，想试驾 X5');
      await page.getByTestId('call-outcome-connected').click();
      await itemA.locator('[data-testid="sla-countdown"][data-state="met"]').waitFor();
      await itemA.locator('[data-testid="lead-stage"][data-stage="contacted"]').waitFor();

      // The next step from the same row: book a test drive (tomorrow 10:00 by default).
      await itemA.getByTestId('wb-appointment').click();
      await page.getByTestId('lead-action-modal').getByText('试驾', { exact: true }).click();
      await submitAction(page);
      await itemA.waitFor({ state: 'detached' }); // booked: no longer waiting for a first call or a booking
      await page.setViewportSize({ width: 1366, height: 860 });

      // The other lead is a lost cause: the agent asks the manager to close it.
      await page.goto(`${server.baseUrl}/leads/${scene.b}`);
      await stageIs(page, 'new');
      await act(page, 'lost');
      await pickOption(page, 'lost-reason', '联系不上');
      await page.getByTestId('action-note').fill('三天五次未接通');
      await submitAction(page);

      await page.goto(`${server.baseUrl}/leads/${scene.a}`);
      await stageIs(page, 'appointment');
      await page.locator('[data-testid="lead-header"] [data-testid="sla-countdown"][data-state="met"]').waitFor();
      await page.locator('[data-testid="activity-item"][data-type="appointment"]').waitFor();
      await page.locator('[data-testid="activity-item"][data-type="call"]').getByText('已接通').waitFor();
    } finally {
      await br.close();
    }
  });

  it('a manager hands the booked lead to a consultant, reassigns the waiting one in bulk, and approves the lost request', async () => {
    const br = await openBrowser();
    const { page } = br;
    try {
      await login(page, server.baseUrl, 'sha01.manager');
      await page.getByTestId('welcome').waitFor();
      await page.getByTestId('nav-/leads/workbench').click();
      await page.getByTestId('wb-manager').waitFor();
      await page.getByTestId('team-load-row').first().waitFor();

      // Bulk reassignment: the unassigned lead to sales1.
      const row = page.locator(`[data-testid="wb-unassigned-row"][data-lead-id="${scene.c}"]`);
      await row.locator('.ant-checkbox-input').check();
      await pickOption(page, 'bulk-target', 'sha01.sales1');
      await page.getByTestId('bulk-reassign-go').click();
      await row.waitFor({ state: 'detached' });

      // The lost request of lead B.
      const request = page.locator(`[data-testid="lost-request-row"][data-lead-id="${scene.b}"]`);
      await request.getByText('联系不上').waitFor();
      await shot(page, 'leads-manager-zh');
      await request.getByTestId('lost-approve').click();
      await page.getByTestId('lost-approve-ok').click();
      await request.waitFor({ state: 'detached' });

      // Lead A goes from the DCC agent to the consultant who will meet the customer.
      await page.goto(`${server.baseUrl}/leads/${scene.a}`);
      await stageIs(page, 'appointment');
      await act(page, 'assign');
      await pickOption(page, 'assign-user', 'sha01.sales1');
      await submitAction(page);
      await page.getByTestId('lead-owner').getByText(scene.sales1.displayName).waitFor();
      await page.locator('[data-testid="assignment-item"]').nth(1).waitFor();

      await page.goto(`${server.baseUrl}/leads/${scene.b}`);
      await stageIs(page, 'lost');
    } finally {
      await br.close();
    }
  });

  it('the consultant records the visit, test drive, 小定, 大定 and delivery; the board refuses an illegal move with the rule', async () => {
    const br = await openBrowser();
    const { page } = br;
    try {
      await login(page, server.baseUrl, 'sha01.sales1');
      await page.getByTestId('welcome').waitFor();
      await page.getByTestId('nav-/leads').click();
      await page.locator(`[data-testid="lead-row"][data-lead-id="${scene.a}"]`).click();
      await stageIs(page, 'appointment');

      await act(page, 'visit');
      await submitAction(page);
      await stageIs(page, 'visited');

      await act(page, 'test_drive');
      assert.equal(await page.getByTestId('test-drive-model').inputValue(), 'X5', 'the vehicle of interest is proposed');
      // No consent, no test drive. (Under load the first click can land while the modal is still animating in,
      // so the submit is repeated until the form answers.)
      const consentMessage = page.getByText('试驾前客户必须签署试驾协议');
      for (let attempt = 1; ; attempt++) {
        await page.getByTestId('action-submit').click();
        const shown = await consentMessage.waitFor({ timeout: 5000 }).then(
          () => true,
          () => false,
        );
        if (shown) break;
        assert.ok(attempt < 3, 'the consent rule is shown within three submits');
      }
      await page.getByTestId('test-drive-consent').check();
      await page.locator('[data-testid="test-drive-feedback"] .ant-rate-star').nth(4).click();
      await submitAction(page);
      await stageIs(page, 'test_drive');
      await page.locator('[data-testid="lead-task"][data-task-type="test_drive_callback"]').waitFor();

      await act(page, 'deposit');
      await numberInput(page, 'deposit-amount').fill('5000');
      await submitAction(page);
      await stageIs(page, 'deposit');

      await act(page, 'order');
      await page.getByTestId('order-trim').fill('四驱旗舰版');
      await page.getByTestId('order-colour').fill('星空灰');
      await numberInput(page, 'order-price').fill('289900');
      await submitAction(page);
      await stageIs(page, 'order');

      await act(page, 'deliver');
      await page.getByTestId('deliver-vin').fill('1G4AH59H55G118341'); // wrong check digit
      await page.getByTestId('action-submit').click();
      await page.getByTestId('lead-action-modal').locator('.ant-form-item-explain-error').waitFor();
      assert.match(await page.getByTestId('lead-action-modal').locator('.ant-form-item-explain-error').innerText(), /check digit|校验/i);
      await page.getByTestId('deliver-vin').fill('1G4AH59H45G118341');
      await submitAction(page);
      await stageIs(page, 'delivered');
      assert.equal(await page.getByTestId('order-vin').innerText(), '1G4AH59H45G118341');
      await shot(page, 'lead-detail-zh');

      // The board: the reassigned lead C is new; it cannot jump to 已到店 without a visit.
      await page.getByTestId('nav-/leads').click();
      await page.getByTestId('mode-board').click();
      const card = page.locator(`[data-testid="board-column-new"] [data-testid="board-card"][data-lead-id="${scene.c}"]`);
      await card.waitFor();
      await page.locator(`[data-testid="board-column-delivered"] [data-testid="board-card"][data-lead-id="${scene.a}"]`).waitFor();
      await card.getByTestId('board-card-menu').click();
      await page.getByTestId('board-move-visited').click();
      const refusal = page.getByTestId('board-error');
      await refusal.waitFor();
      assert.match(await refusal.innerText(), /“已到店”需要先登记到店/);
      await shot(page, 'leads-board-zh');
      await card.waitFor(); // still new
      await page.getByTestId('mode-list').click();
      await page.getByTestId('leads-table').waitFor();
      await shot(page, 'leads-list-zh');
    } finally {
      await br.close();
    }
  });

  it('the customer’s 360 page shows the whole journey; another store’s consultant gets not-found', async () => {
    const br = await openBrowser();
    const { page } = br;
    try {
      await login(page, server.baseUrl, 'sha01.manager');
      await page.getByTestId('welcome').waitFor();
      await page.goto(`${server.baseUrl}/leads/${scene.a}`);
      await stageIs(page, 'delivered');
      // Beside the lead: the customer's timeline.
      await page.getByTestId('timeline').locator('[data-testid="timeline-item"][data-name="delivery"]').waitFor();
      await page.getByTestId('lead-customer-link').click();
      await page.getByTestId('customer-name').waitFor();
      const timeline = page.getByTestId('timeline');
      for (const name of ['lead_created', 'call', 'appointment', 'visit', 'test_drive', 'deposit', 'order', 'delivery', 'stage:delivered'])
        await timeline.locator(`[data-testid="timeline-item"][data-name="${name}"]`).first().waitFor();
      await timeline.getByText('阶段：已交车').waitFor();
      await page.getByTestId('vehicles').getByText('1G4AH59H45G118341').waitFor();
      await shot(page, 'lead-customer-360-zh');

      // The same pages in English.
      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByTestId('side-nav').getByText('Workbench').waitFor();
      await page.getByTestId('nav-/leads/workbench').click();
      await page.getByTestId('wb-manager').waitFor();
      await page.getByTestId('team-load-row').first().waitFor();
      await shot(page, 'leads-workbench-en');
      await page.getByTestId('nav-/leads').click();
      await page.getByTestId('mode-list').click();
      await page.getByTestId('lead-row').first().waitFor();
      await shot(page, 'leads-list-en');
      await page.getByTestId('mode-board').click();
      await page.getByTestId('board-card').first().waitFor();
      await shot(page, 'leads-board-en');
      await page.goto(`${server.baseUrl}/leads/${scene.a}`);
      await stageIs(page, 'delivered');
      await page.getByTestId('timeline-item').first().waitFor();
      await shot(page, 'lead-detail-en');
      await logout(page);

      await login(page, server.baseUrl, 'pek01.sales1');
      await page.getByTestId('welcome').waitFor();
      await page.goto(`${server.baseUrl}/leads/${scene.a}`);
      await page.getByTestId('lead-not-found').waitFor();
      await shot(page, 'lead-not-found-zh');
    } finally {
      await br.close();
    }
  });

  it('a consultant enters a phone-in (the server’s 422 shows at the phone field) and saves a view of the lead list', async () => {
    const br = await openBrowser();
    const { page } = br;
    try {
      await login(page, server.baseUrl, 'sha01.sales2');
      await page.getByTestId('welcome').waitFor();
      await page.getByTestId('nav-/leads/new').click();
      await page.getByTestId('intake-phone_in').click();
      await page.getByTestId('new-lead-name').fill('赵子龙');
      await page.getByTestId('new-lead-model').fill('星驰 S7');
      await page.getByTestId('new-lead-submit').click();
      const error = page.getByTestId('new-lead-form').locator('.ant-form-item-explain-error');
      await error.waitFor();
      assert.match(await error.innerText(), /phone|email|contact/i, 'the server names what is missing');
      await page.getByTestId('new-lead-phone').fill('138 0013 8555');
      await page.getByTestId('new-lead-submit').click();
      await stageIs(page, 'new');
      assert.equal(await page.getByTestId('lead-customer').innerText(), '赵子龙');
      assert.match(await page.getByTestId('lead-phone').innerText(), /^138\*{4}8555$/);
      await shot(page, 'lead-new-detail-zh');

      await page.getByTestId('nav-/leads').click();
      await page.getByTestId('mode-list').click();
      await page.getByTestId('leads-search').fill('赵子龙');
      await page.getByTestId('leads-search').press('Enter');
      await page.getByTestId('lead-row').filter({ hasText: '赵子龙' }).waitFor();
      await page.getByTestId('save-view').click();
      await page.getByTestId('save-view-name').fill('来电客户');
      await page.getByTestId('save-view-ok').click();
      await page.getByText('已保存“来电客户”。').waitFor();
      await page.reload();
      await pickOption(page, 'saved-views', '来电客户');
      assert.equal(await page.getByTestId('leads-search').inputValue(), '赵子龙');
      await page.getByTestId('lead-row').filter({ hasText: '赵子龙' }).waitFor();
    } finally {
      await br.close();
    }
  });

  it('an admin writes a routing rule, tries a lead against it, and saves the lead settings', async () => {
    const br = await openBrowser();
    const { page } = br;
    try {
      await login(page, server.baseUrl, 'admin');
      await page.getByTestId('welcome').waitFor();
      await page.getByTestId('nav-/settings/routing').click();
      await page.getByTestId('rule-create').click();
      await page.getByTestId('rule-name').fill('杭州线索进抢单池');
      await page.getByTestId('rule-cities').locator('input').fill('杭州市');
      await page.getByTestId('rule-cities').locator('input').press('Enter');
      // The city must be a tag before the store is picked, or the rule is saved without it.
      await page.getByTestId('rule-cities').locator('.ant-select-selection-item', { hasText: '杭州市' }).waitFor();
      await pickOption(page, 'rule-store', /HGH01|杭州/);
      await pickOption(page, 'rule-strategy', '抢单池');
      await page.getByTestId('rule-save').click();
      await page.getByTestId('rule-row').getByText('杭州线索进抢单池').waitFor();

      await pickOption(page, 'preview-source', '汽车之家 Autohome');
      await page.getByTestId('preview-phone').fill('13600001111');
      await page.getByTestId('preview-city').fill('杭州市');
      await page.getByTestId('preview-run').click();
      await page.getByTestId('preview-rule').getByText('杭州线索进抢单池').waitFor();
      assert.match(await page.getByTestId('preview-store').innerText(), /杭州/);
      await shot(page, 'routing-rules-zh');

      await page.getByTestId('nav-/settings/leads').click();
      await numberInput(page, 'ls-sla-default').fill('20');
      await page.getByTestId('lead-settings-save').click();
      await page.getByText('线索设置已保存').waitFor();
      await shot(page, 'lead-settings-zh');
    } finally {
      await br.close();
    }
  });

  it('a lead from 杭州 waits in that store’s claim pool; a consultant there takes it from the workbench and it is theirs', async () => {
    // The rule the previous test saved sends 杭州 leads to HGH01's claim pool (抢单池).
    const admin = await apiAs('admin');
    const src = await admin<{ writeKey: string }>('POST', '/api/sources', { name: '懂车帝 Dongchedi', kind: 'lead_platform' });
    assert.equal(src.status, 201, JSON.stringify(src.body));
    const inHangzhou = prospect('DCD-2001', '周杭生', '13655556666', 'S7').replace(
      '</contact>',
      '<address><city>杭州市</city></address></contact>',
    );
    const [lead] = await sendAdf(src.body.writeKey, [inHangzhou]);
    assert.equal(lead?.status, 'created');
    assert.equal(lead?.ownerUserId, null, 'nobody owns a lead in the pool');
    const units = await admin<{ items: { id: string; code: string }[] }>('GET', '/api/org/units');
    const hgh01 = units.body.items.find((u) => u.code === 'HGH01')!;
    const users = (await admin<{ items: User[] }>('GET', `/api/users?orgUnitId=${hgh01.id}&limit=200`)).body.items;
    const claimer = users.find((u) => u.login === 'hgh01.sales1')!;

    const br = await openBrowser();
    const { page } = br;
    try {
      await login(page, server.baseUrl, 'hgh01.sales1');
      await page.getByTestId('nav-/leads/workbench').click();
      const inPool = page.getByTestId('wb-pool').locator(`[data-testid="wb-lead"][data-lead-id="${lead!.leadId}"]`);
      await inPool.getByTestId('wb-claim').click();
      await page.getByTestId('wb-my-leads').locator(`[data-testid="wb-lead"][data-lead-id="${lead!.leadId}"]`).waitFor();
      await shot(page, 'leads-claimed-zh');
    } finally {
      await br.close();
    }
    const detail = await admin<{ ownerUserId: string | null; assignments: { userId: string | null; reason: string }[] }>(
      'GET',
      `/api/leads/${lead!.leadId}`,
    );
    assert.equal(detail.body.ownerUserId, claimer.id);
    assert.ok(
      detail.body.assignments.some((a) => a.userId === claimer.id),
      `the claim is on the routing history: ${JSON.stringify(detail.body.assignments)}`,
    );
  });
});
