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

interface ApiSession {
  cookie: string;
  csrf: string;
  me: { user: { orgUnitId: string } };
}

async function apiLogin(loginName: string): Promise<ApiSession> {
  const res = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', login: loginName, password: 'Forecourt2026' }),
  });
  assert.equal(res.status, 200, `login ${loginName}: ${res.status}`);
  const cookie = /fc_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  assert.ok(cookie, 'a session cookie');
  const me = (await res.json()) as ApiSession['me'] & { csrfToken: string };
  return { cookie, csrf: me.csrfToken, me };
}

async function api<T>(session: ApiSession, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

describe('duplicates', () => {
  it('a store manager scans, merges the first probable duplicate, says the next is not the same person, and the 360 shows the merge', async () => {
    // People come in through the store's own website source: two pairs of look-alikes and, for the identity
    // review, one message that names four profiles at once (more than the tenant allows in one merge).
    const admin = await apiLogin('admin');
    const manager = await apiLogin('sha01.manager');
    const { writeKey } = await api<{ writeKey: string }>(admin, 'POST', '/api/sources', {
      name: '浦东店官网 E2E',
      kind: 'website',
      orgUnitId: manager.me.user.orgUnitId,
    });
    const send = async (batch: Record<string, unknown>[]) => {
      const res = await fetch(`${server.baseUrl}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
        body: JSON.stringify({ batch: batch.map((m) => ({ type: 'identify', ...m })) }),
      });
      assert.equal(res.status, 200, `POST /v1/batch answered ${res.status}: ${await res.text()}`);
    };
    await send([
      { userId: 'crm-e2e-1', traits: { name: '张伟', phone: '13852345678', city: '上海', vehicle_of_interest: 'ID.4' } },
      { anonymousId: 'web-e2e-1', traits: { name: 'Zhang Wei', phone: '13852345679', city: '上海市' } },
      { userId: 'crm-e2e-2', traits: { name: '刘洋', email: 'liuyang1990@163.com', city: '杭州' } },
      { anonymousId: 'web-e2e-2', traits: { name: '刘阳', email: 'liu.yang1990@qq.com', city: '杭州' } },
      { anonymousId: 'desk-a1', traits: { phone: '13177776666' } },
      { anonymousId: 'desk-a2', traits: { email: 'front.desk@fctest.cn' } },
      { userId: 'desk-u3', traits: { name: '赵敏' } },
      { anonymousId: 'desk-a4', traits: { city: '上海' } },
    ]);
    // The linking message after the four profiles exist (the pipeline keeps arrival order within a batch, not across).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = await api<{ items: unknown[] }>(admin, 'GET', '/api/customers?q=front.desk%40fctest.cn');
      if (found.items.length > 0) break;
      assert.ok(Date.now() < deadline, 'the pipeline did not process the people within 30 s');
      await new Promise((r) => setTimeout(r, 300));
    }
    await send([{ userId: 'desk-u3', anonymousId: 'desk-a4', traits: { phone: '13177776666', email: 'front.desk@fctest.cn' } }]);
    for (;;) {
      const reviews = await api<{ items: unknown[] }>(manager, 'GET', '/api/identity/reviews');
      if (reviews.items.length > 0) break;
      assert.ok(Date.now() < deadline, 'no identity review within 30 s');
      await new Promise((r) => setTimeout(r, 300));
    }

    const b = await openBrowser();
    const { page } = b;
    try {
      await login(page, server.baseUrl, 'sha01.manager');
      await page.getByTestId('nav-/customers/duplicates').click();
      await page.getByTestId('pairs-empty').waitFor();

      // Scan now: both pairs appear, the most likely first.
      const scanned = page.waitForResponse((r) => r.url().endsWith('/api/identity/duplicates/scan'));
      await page.getByTestId('duplicates-scan').click();
      const scanRes = await scanned;
      assert.equal(scanRes.status(), 200, `scan answered ${scanRes.status()}: ${await scanRes.text()}`);
      const pair = page.getByTestId('pair');
      await pair.waitFor();
      await page.getByTestId('pair-waiting').getByText('还有 2 对待处理').waitFor();
      const first = await pair.getAttribute('data-pair');
      const compare = page.getByTestId('pair-compare');
      assert.match(await compare.innerText(), /\*\*\*/, 'contact details are masked');
      assert.doesNotMatch(await compare.innerText(), /13852345678|liuyang1990@/, 'no full phone or e-mail on screen');
      assert.equal(await page.getByTestId('compare-name').getAttribute('data-different'), 'true', 'the names are written differently');
      assert.equal(await page.getByTestId('compare-city').getAttribute('data-different'), 'false', 'same city (杭州 or 上海/上海市)');
      assert.ok((await page.getByTestId('pair-reasons').innerText()).includes('同城'), 'reasons are shown in Chinese');
      await shot(page, 'duplicates-zh');

      // Merge: the next pair appears.
      const sides = [
        await page.getByTestId('pair-link-a').getAttribute('href'),
        await page.getByTestId('pair-link-b').getAttribute('href'),
      ];
      const merged = page.waitForResponse((r) => r.url().endsWith('/decision'));
      await page.getByTestId('pair-merge').click();
      const mergeRes = await merged;
      assert.equal(mergeRes.status(), 200, `merge answered ${mergeRes.status()}: ${await mergeRes.text()}`);
      const { survivorId } = (await mergeRes.json()) as { survivorId: string };
      await page.locator(`[data-testid="pair"]:not([data-pair="${first}"])`).waitFor();
      await page.getByTestId('pair-waiting').getByText('还有 1 对待处理').waitFor();

      // In English, the next pair: not the same person, and the queue is empty.
      await page.getByTestId('lang-switch').getByText('English').click();
      await page.getByTestId('pair-waiting').getByText('1 waiting').waitFor();
      // 张伟 / Zhang Wei: the numbers disagree; the car is known on one side only, which is no disagreement.
      assert.equal(await page.getByTestId('compare-phoneMasked').getAttribute('data-different'), 'true');
      assert.equal(await page.getByTestId('compare-vehicleOfInterest').getAttribute('data-different'), 'false');
      await shot(page, 'duplicates-en');
      const rejected = page.waitForResponse((r) => r.url().endsWith('/decision'));
      await page.getByTestId('pair-not-same').click();
      assert.equal((await rejected).status(), 200);
      await page.getByTestId('pairs-empty').getByText('No probable duplicates waiting').waitFor();

      // Identity reviews: the front-desk phone linked four customers; mark it shared.
      await page.getByTestId('tab-reviews').click();
      const review = page.getByTestId('review-item');
      await review.waitFor();
      assert.match(await review.innerText(), /131\*\*\*\*6666/);
      assert.equal(await review.locator('tbody tr').count(), 4, 'the four customers it would have joined');
      await shot(page, 'duplicates-reviews-en');
      const shared = page.waitForResponse((r) => r.url().endsWith('/decision'));
      await review.getByTestId('review-shared').click();
      assert.equal((await shared).status(), 200);
      await review.waitFor({ state: 'detached' });

      // The merged customer's 360 shows the merge in its history; the survivor is one of the two sides shown.
      assert.ok(sides.includes(`/customers/${survivorId}`), `the survivor ${survivorId} is one of ${sides.join(', ')}`);
      await page.goto(`${server.baseUrl}/customers/${survivorId}`);
      const history = page.getByTestId('merge-item');
      await history.waitFor();
      assert.match(await history.innerText(), /probable duplicate, merged by a reviewer|疑似重复，人工确认合并/);
      await shot(page, 'duplicates-merged-360-en');
    } finally {
      await b.close();
    }
  });
});
