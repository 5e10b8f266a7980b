import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Forecourt, LoadOptions, Message } from '../packages/sdk/src/types.js';
import { openBrowser } from './harness.js';

declare global {
  interface Window {
    forecourt: Forecourt;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SDK_JS = path.join(ROOT, 'packages/sdk/dist/forecourt.js');
const SNIPPET = fs.readFileSync(path.join(ROOT, 'packages/sdk/snippet.html'), 'utf8');
const WRITE_KEY = 'wk_e2e_0123456789';
// The SDK is served late, so that the page's own calls surely happen before it runs.
const SCRIPT_DELAY_MS = 300;

interface BatchBody {
  batch: Message[];
  sentAt: string;
  writeKey: string;
}

interface BatchRequest {
  receivedAt: number;
  status: number;
  /** Sec-Fetch-Mode: `no-cors` for sendBeacon with a text/plain Blob, `cors` for the SDK's fetch. */
  fetchMode: string | undefined;
  contentType: string | undefined;
  body: BatchBody | undefined;
}

/**
 * A stand-in for Forecourt on two origins: pages on one, the tracking API and the script on the other,
 * as on a dealer's website. /v1/batch answers like the real API; tests script its status codes.
 */
async function startTrackingServer() {
  const state = {
    requests: [] as BatchRequest[],
    preflights: 0,
    scriptRequestedAt: [] as number[],
    /** Statuses for the next batch requests, used up in order; then 200. */
    answers: [] as number[],
    /** While set, every batch request gets this status. */
    outage: null as number | null,
  };
  const pages = new Map<string, string>();
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type' };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'OPTIONS') {
      state.preflights++;
      res.writeHead(204, cors).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/sdk/forecourt.js') {
      state.scriptRequestedAt.push(Date.now());
      await new Promise((r) => setTimeout(r, SCRIPT_DELAY_MS));
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(fs.readFileSync(SDK_JS));
      return;
    }
    if (req.method === 'POST' && url.pathname === '/v1/batch') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const record: BatchRequest = {
        receivedAt: Date.now(),
        status: 200,
        fetchMode: req.headers['sec-fetch-mode'],
        contentType: req.headers['content-type'],
        body: undefined,
      };
      state.requests.push(record);
      try {
        const parsed = JSON.parse(raw.toString('utf8')) as BatchBody;
        if (Array.isArray(parsed.batch)) record.body = parsed;
      } catch {
        // answered 400 below
      }
      if (raw.length > 500 * 1024) record.status = 413;
      else if (!record.body) record.status = 400;
      else if (record.body.writeKey !== WRITE_KEY) record.status = 401;
      else record.status = state.outage ?? state.answers.shift() ?? 200;
      // Like the real API, a phone trait that is not a phone rejects its message, not the batch.
      const rejected = (record.body?.batch ?? []).flatMap((m, index) =>
        m.traits?.phone !== undefined && !/^1[3-9]\d{9}$/.test(String(m.traits.phone))
          ? [{ index, messageId: m.messageId, reason: 'invalid_phone', message: 'phone: not a Chinese mobile number' }]
          : [],
      );
      const answer =
        record.status === 200
          ? { success: true, accepted: (record.body?.batch.length ?? 0) - rejected.length, duplicates: 0, rejected }
          : { error: { code: String(record.status), message: 'scripted by the test' } };
      res.writeHead(record.status, { 'content-type': 'application/json', ...cors }).end(JSON.stringify(answer));
      return;
    }
    const html = req.method === 'GET' ? pages.get(url.pathname) : undefined;
    if (html) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
      return;
    }
    res.writeHead(404).end();
  }

  const listen = (): Promise<{ server: http.Server; origin: string }> =>
    new Promise((resolve) => {
      const server = http.createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          res.writeHead(500).end(String(err));
        });
      });
      server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
    });
  const site = await listen();
  const api = await listen();
  pages.set('/away', '<!doctype html><title>Elsewhere</title><p>No SDK here.</p>');
  let pageCount = 0;

  return {
    state,
    apiOrigin: api.origin,
    awayUrl: `${site.origin}/away`,
    /** A page on the site origin with the snippet from packages/sdk/snippet.html, loading with these options. */
    addPage(options: LoadOptions = {}, bodyHtml = ''): string {
      const load = `forecourt.load(${JSON.stringify(WRITE_KEY)}, ${JSON.stringify({ host: api.origin, ...options })});`;
      const snippet = SNIPPET.replace(/forecourt\.load\([^;]*\);/, load);
      assert.ok(snippet.includes(load), 'snippet.html calls forecourt.load(…)');
      const pagePath = `/showroom-${++pageCount}`;
      pages.set(pagePath, `<!doctype html><html><head><title>展厅 ${pageCount}</title>${snippet}</head><body>${bodyHtml}</body></html>`);
      return `${site.origin}${pagePath}?utm_source=e2e`;
    },
    reset() {
      state.requests.length = 0;
      state.scriptRequestedAt.length = 0;
      state.answers.length = 0;
      state.preflights = 0;
      state.outage = null;
    },
    /** Events of batches answered 200. */
    accepted(): Message[] {
      return state.requests.filter((r) => r.status === 200).flatMap((r) => r.body?.batch ?? []);
    },
    async stop() {
      await Promise.all([site, api].map(({ server }) => new Promise((r) => server.close(r))));
    },
  };
}

let server: Awaited<ReturnType<typeof startTrackingServer>>;

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the real script has replaced the snippet's stub. */
async function sdkLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => !Array.isArray(window.forecourt) && window.forecourt.initialized);
}

const acceptedEvent = (event: string) => server.accepted().find((m) => m.event === event);

/** Batch requests that carried the message, by status. */
const attemptsOf = (messageId: string) => server.state.requests.filter((r) => r.body?.batch.some((m) => m.messageId === messageId));

const queueKeys = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('fc_q.')));

async function withBrowser(fn: (b: Awaited<ReturnType<typeof openBrowser>>) => Promise<void>): Promise<void> {
  const b = await openBrowser();
  try {
    await fn(b);
  } finally {
    await b.close();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

before(async () => {
  assert.ok(fs.existsSync(SDK_JS), 'build the SDK first: npm run build -w @forecourt/sdk');
  server = await startTrackingServer();
});
after(async () => {
  await server?.stop();
});
beforeEach(() => server.reset());

describe('browser SDK', () => {
  it('when a page calls the SDK before the script has loaded, then the calls are sent in one batch with ids, page context and the write key', async () => {
    const url = server.addPage(
      {},
      `<script>
        forecourt.identify('cust-1001', { phone: '13800138000', name: '王先生' });
        forecourt.track('Test Drive Booked', { model: 'ID.4 CROZZ', store: 'SHA01' });
        window.stubbedAtCall = Array.isArray(window.forecourt);
      </script>`,
    );
    await withBrowser(async ({ page }) => {
      await page.goto(url);
      await sdkLoaded(page);
      assert.equal(await page.evaluate(() => (window as unknown as { stubbedAtCall: boolean }).stubbedAtCall), true);

      await waitFor('the first batch', () => server.state.requests.length > 0);
      await sleep(500);
      assert.equal(server.state.requests.length, 1, 'page, identify and track go in one request');
      const request = server.state.requests[0]!;
      assert.equal(request.status, 200);
      assert.match(request.contentType ?? '', /^text\/plain/);
      assert.equal(server.state.preflights, 0, 'no CORS preflight');
      const body = request.body!;
      assert.equal(body.writeKey, WRITE_KEY);
      assert.ok(Date.parse(body.sentAt) <= request.receivedAt);
      assert.deepEqual(
        body.batch.map((m) => m.type),
        ['page', 'identify', 'track'],
        'replayed in call order',
      );

      const [pageView, identify, track] = body.batch as [Message, Message, Message];
      const { anonymousId } = await page.evaluate(() => window.forecourt.user());
      assert.match(anonymousId, UUID);
      for (const m of body.batch) {
        assert.match(m.messageId, UUID);
        assert.equal(m.anonymousId, anonymousId);
        assert.deepEqual(m.context.page, {
          path: '/showroom-1',
          referrer: '',
          search: '?utm_source=e2e',
          title: '展厅 1',
          url: url,
        });
        assert.equal(m.context.library.name, 'forecourt-sdk');
        assert.equal(m.context.locale, 'zh-CN');
        assert.match(m.context.userAgent, /Chrome/);
        assert.equal(m.context.screen.width, 1366);
        // The stub's clock, not the replay's: the script ran at least SCRIPT_DELAY_MS later.
        assert.ok(Date.parse(m.timestamp) < server.state.scriptRequestedAt[0]! + SCRIPT_DELAY_MS - 50, 'timestamp of the call');
      }
      assert.equal(new Set(body.batch.map((m) => m.messageId)).size, 3);
      assert.equal(pageView.userId, undefined, 'page() came before identify()');
      assert.deepEqual(pageView.properties, { path: '/showroom-1', referrer: '', search: '?utm_source=e2e', title: '展厅 1', url });
      assert.equal(identify.userId, 'cust-1001');
      assert.deepEqual(identify.traits, { phone: '13800138000', name: '王先生' });
      assert.equal(track.userId, 'cust-1001');
      assert.equal(track.event, 'Test Drive Booked');
      assert.deepEqual(track.properties, { model: 'ID.4 CROZZ', store: 'SHA01' });
    });
  });

  it('the anonymous id is a first-party cookie that survives a reload; reset() replaces it and forgets the user', async () => {
    const url = server.addPage({ flushIntervalMs: 200 });
    await withBrowser(async ({ context, page }) => {
      await page.goto(url);
      await sdkLoaded(page);
      const first = await page.evaluate(() => window.forecourt.user());
      assert.match(first.anonymousId, UUID);
      assert.equal(first.userId, null);
      const cookie = (await context.cookies()).find((c) => c.name === 'fc_anon');
      assert.equal(cookie?.value, first.anonymousId);
      assert.equal(cookie?.sameSite, 'Lax');
      assert.equal(cookie?.path, '/');
      const days = ((cookie?.expires ?? 0) * 1000 - Date.now()) / 86_400_000;
      assert.ok(days > 364 && days <= 365, `expires in a year (${days.toFixed(1)} days)`);

      await page.reload();
      await sdkLoaded(page);
      assert.equal((await page.evaluate(() => window.forecourt.user())).anonymousId, first.anonymousId);
      const views = await waitFor('both page views', () => {
        const pageViews = server.accepted().filter((m) => m.type === 'page');
        return pageViews.length === 2 && pageViews;
      });
      assert.deepEqual(
        views.map((m) => m.anonymousId),
        [first.anonymousId, first.anonymousId],
      );

      await page.evaluate(() => {
        window.forecourt.identify('cust-2002');
        window.forecourt.reset();
        window.forecourt.track('Signed Out');
      });
      const second = await page.evaluate(() => window.forecourt.user());
      assert.match(second.anonymousId, UUID);
      assert.notEqual(second.anonymousId, first.anonymousId);
      assert.equal(second.userId, null);
      assert.equal((await context.cookies()).find((c) => c.name === 'fc_anon')?.value, second.anonymousId);
      assert.equal(await page.evaluate(() => localStorage.getItem('fc_user')), null);
      const signedOut = await waitFor('the event after reset()', () => acceptedEvent('Signed Out'));
      assert.equal(signedOut.anonymousId, second.anonymousId);
      assert.equal(signedOut.userId, undefined);
    });
  });

  it('after identify, later events carry the userId, also after a reload, and earlier ones do not', async () => {
    const url = server.addPage({ flushIntervalMs: 200 });
    await withBrowser(async ({ page }) => {
      await page.goto(url);
      await sdkLoaded(page);
      await page.evaluate(() => {
        window.forecourt.track('Brochure Viewed');
        window.forecourt.identify('cust-3003', { phone: '13900139000' });
        window.forecourt.track('Quote Requested', { model: 'Han EV' });
      });
      await page.evaluate(() => window.forecourt.flush());
      assert.equal(acceptedEvent('Brochure Viewed')?.userId, undefined);
      assert.equal(acceptedEvent('Quote Requested')?.userId, 'cust-3003');
      assert.equal(await page.evaluate(() => localStorage.getItem('fc_user')), 'cust-3003');

      await page.reload();
      await sdkLoaded(page);
      assert.equal((await page.evaluate(() => window.forecourt.user())).userId, 'cust-3003');
      await page.evaluate(() => window.forecourt.track('Returned'));
      const returned = await waitFor('the event after the reload', () => acceptedEvent('Returned'));
      assert.equal(returned.userId, 'cust-3003');
      assert.equal(returned.anonymousId, acceptedEvent('Quote Requested')?.anonymousId);
    });
  });

  it('when the server answers 503 twice, the batch is retried with backoff and every event is accepted exactly once', async () => {
    server.state.answers.push(503, 503);
    const url = server.addPage(
      { flushIntervalMs: 200 },
      `<script>forecourt.track('Finance Calculator Used'); forecourt.track('Trade-in Valued');</script>`,
    );
    await withBrowser(async ({ page }) => {
      await page.goto(url);
      await sdkLoaded(page);
      await waitFor('an accepted batch', () => server.accepted().length > 0);
      await sleep(1500);

      const requests = server.state.requests;
      assert.deepEqual(
        requests.map((r) => r.status),
        [503, 503, 200],
      );
      const ids = requests.map((r) => r.body!.batch.map((m) => m.messageId).join());
      assert.equal(new Set(ids).size, 1, 'the same batch each time');
      // Backoff: 1 s then 2 s, each times 0.5–1 for jitter.
      assert.ok(requests[1]!.receivedAt - requests[0]!.receivedAt >= 450, 'first retry after ≥ 0.5 s');
      assert.ok(requests[2]!.receivedAt - requests[1]!.receivedAt >= 950, 'second retry after ≥ 1 s');
      assert.notEqual(requests[0]!.body!.sentAt, requests[2]!.body!.sentAt, 'sentAt is the time of each attempt');

      const accepted = server.accepted().map((m) => m.messageId);
      assert.equal(accepted.length, 3);
      assert.equal(new Set(accepted).size, 3, 'each messageId once');
      assert.deepEqual(await queueKeys(page), [], 'the saved queue is empty after the 2xx');
    });
  });

  it('when the server answers 400, the batch is dropped with one warning and not retried; a rejected event is not retried either', async () => {
    server.state.answers.push(400);
    const url = server.addPage({ flushIntervalMs: 200 }, `<script>forecourt.track('Malformed Somehow');</script>`);
    await withBrowser(async ({ page }) => {
      const warnings: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'warning') warnings.push(m.text());
      });
      await page.goto(url);
      await sdkLoaded(page);
      await waitFor('the batch request', () => server.state.requests.length > 0);
      await sleep(2500);
      assert.deepEqual(
        server.state.requests.map((r) => r.status),
        [400],
        'not retried',
      );
      assert.equal(warnings.filter((w) => w.includes('HTTP 400')).length, 1, warnings.join('\n'));
      assert.deepEqual(await queueKeys(page), []);

      await page.evaluate(() => window.forecourt.track('Still Working'));
      await waitFor('the next event', () => acceptedEvent('Still Working'));
      assert.equal(attemptsOf(acceptedEvent('Still Working')!.messageId).length, 1);

      await page.evaluate(() => window.forecourt.identify('cust-4004', { phone: '12345' }));
      const identify = await waitFor('the identify', () => server.accepted().find((m) => m.type === 'identify'));
      await sleep(1000);
      assert.equal(attemptsOf(identify.messageId).length, 1, 'a rejected event is not retried');
      assert.ok(
        warnings.some((w) => w.includes('rejected 1 event(s): phone: not a Chinese mobile number')),
        warnings.join('\n'),
      );
    });
  });

  it('events queued just before navigating away arrive by sendBeacon', async () => {
    const url = server.addPage({ flushAt: 100, flushIntervalMs: 60_000 });
    await withBrowser(async ({ context, page }) => {
      // Init scripts as strings: tsx's keepNames would put a __name() call in a serialised function.
      await context.addInitScript({
        content: `const send = navigator.sendBeacon.bind(navigator);
          navigator.sendBeacon = (url, data) => {
            localStorage.setItem('beacons', String(Number(localStorage.getItem('beacons') || 0) + 1));
            return send(url, data);
          };`,
      });
      await page.goto(url);
      await sdkLoaded(page);
      await page.evaluate(() => window.forecourt.track('Configurator Closed', { trim: '长续航版' }));
      assert.equal(server.state.requests.length, 0, 'nothing sent before leaving');
      await page.goto(server.awayUrl);

      const event = await waitFor('the beaconed event', () => acceptedEvent('Configurator Closed'));
      assert.deepEqual(event.properties, { trim: '长续航版' });
      const [request, ...others] = attemptsOf(event.messageId);
      assert.equal(others.length, 0, 'sent once');
      assert.equal(request?.fetchMode, 'no-cors', 'a beacon, not fetch');
      assert.match(request?.contentType ?? '', /^text\/plain/);
      assert.deepEqual(
        request?.body?.batch.map((m) => m.type),
        ['page', 'track'],
      );
      assert.ok(Number(await page.evaluate(() => localStorage.getItem('beacons'))) >= 1);
      assert.deepEqual(await queueKeys(page), [], 'nothing left to resend');
    });
  });

  it('when the server is down, queued events survive a reload and the next page sends them once', async () => {
    server.state.outage = 503;
    const url = server.addPage({ flushIntervalMs: 200 });
    await withBrowser(async ({ page }) => {
      await page.goto(url);
      await sdkLoaded(page);
      await page.evaluate(() => window.forecourt.track('Offer Claimed', { offer: '置换补贴' }));
      await waitFor('a failed attempt', () =>
        server.state.requests.some((r) => r.status === 503 && r.body?.batch.some((m) => m.event === 'Offer Claimed')),
      );
      assert.equal((await queueKeys(page)).length, 1, 'saved in localStorage');

      await page.reload();
      const reloadedAt = Date.now();
      server.state.outage = null;
      await sdkLoaded(page);

      const event = await waitFor('the event, from the next page', () => acceptedEvent('Offer Claimed'), 15_000);
      await sleep(500);
      const attempts = attemptsOf(event.messageId);
      assert.equal(attempts.filter((r) => r.status === 200).length, 1, 'accepted once');
      assert.ok(
        attempts.every((r) => r.fetchMode === 'cors'),
        'no beacon while the server was failing',
      );
      assert.ok(attempts.find((r) => r.status === 200)!.receivedAt >= reloadedAt);
      assert.deepEqual(await queueKeys(page), []);
    });
  });

  it('when a second tab opens during an outage, it does not take the first tab’s events, and each event is sent once', async () => {
    server.state.outage = 503;
    const url = server.addPage({ flushIntervalMs: 200 });
    await withBrowser(async ({ context, page }) => {
      await page.goto(url);
      await sdkLoaded(page);
      await page.evaluate(() => window.forecourt.track('Tab A Event'));
      await waitFor('a failed attempt', () =>
        server.state.requests.some((r) => r.status === 503 && r.body?.batch.some((m) => m.event === 'Tab A Event')),
      );

      const second = await context.newPage();
      await second.goto(url);
      await sdkLoaded(second);
      await second.evaluate(() => window.forecourt.track('Tab B Event'));
      const queues = await second.evaluate(() =>
        Object.keys(localStorage)
          .filter((k) => k.startsWith('fc_q.'))
          .map((k) => localStorage.getItem(k) ?? ''),
      );
      assert.equal(queues.length, 2, 'a saved queue per tab');
      assert.ok(!queues.some((q) => q.includes('Tab A Event') && q.includes('Tab B Event')), 'the live tab keeps its own events');
      server.state.outage = null;

      const a = await waitFor('the first tab’s event', () => acceptedEvent('Tab A Event'), 15_000);
      const b = await waitFor('the second tab’s event', () => acceptedEvent('Tab B Event'), 15_000);
      await sleep(2500);
      const accepted = server.accepted().map((m) => m.messageId);
      assert.equal(new Set(accepted).size, accepted.length, 'no event accepted twice');
      assert.equal(attemptsOf(a.messageId).filter((r) => r.status === 200).length, 1);
      assert.equal(attemptsOf(b.messageId).filter((r) => r.status === 200).length, 1);
      assert.equal(server.accepted().filter((m) => m.type === 'page').length, 2, 'one page view per tab');
    });
  });

  it('when cookies are blocked, the anonymous id lives in localStorage and survives a reload', async () => {
    const url = server.addPage({ flushIntervalMs: 200 });
    await withBrowser(async ({ context, page }) => {
      // As in a sandboxed frame or with cookies switched off: reading or writing document.cookie throws.
      await context.addInitScript({
        content: `const blocked = () => { throw new DOMException('cookies are blocked', 'SecurityError'); };
          Object.defineProperty(Document.prototype, 'cookie', { configurable: true, get: blocked, set: blocked });`,
      });
      await page.goto(url);
      await sdkLoaded(page);
      await assert.rejects(
        page.evaluate(() => document.cookie),
        /SecurityError|cookies are blocked/,
      );

      const { anonymousId } = await page.evaluate(() => window.forecourt.user());
      assert.match(anonymousId, UUID);
      assert.equal(await page.evaluate(() => localStorage.getItem('fc_anon')), anonymousId);
      assert.equal(
        (await context.cookies()).find((c) => c.name === 'fc_anon'),
        undefined,
      );
      const view = await waitFor('the page view', () => server.accepted().find((m) => m.type === 'page'));
      assert.equal(view.anonymousId, anonymousId);

      await page.reload();
      await sdkLoaded(page);
      assert.equal((await page.evaluate(() => window.forecourt.user())).anonymousId, anonymousId);
    });
  });
});
