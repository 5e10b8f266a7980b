import { gzipSync } from 'node:zlib';
import { Analytics } from '@segment/analytics-node';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';

let t: TestApp;
let admin: Session;
let writeKey: string;
let sourceId: string;
let baseUrl: string;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/sources',
    headers: admin.headers(true),
    payload: { name: 'Website', kind: 'website' },
  });
  expect(res.statusCode).toBe(201);
  writeKey = res.json().writeKey;
  sourceId = res.json().source.id;
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => t.stop());

const basic = (key: string) => ({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
const batch = (messages: unknown[], headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { ...basic(writeKey), 'content-type': 'application/json', ...headers },
    payload: { batch: messages },
  });

async function customerByPhone(phone: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/customers?q=${encodeURIComponent(phone)}`, headers: admin.headers() });
  expect(res.statusCode).toBe(200);
  return res.json().items as Array<{ id: string; name: string | null; phoneMasked: string | null }>;
}

describe('tracking API', () => {
  it('accepts messages from @segment/analytics-node unchanged, with only its host pointed at Forecourt', async () => {
    const analytics = new Analytics({ writeKey, host: baseUrl, flushAt: 3, flushInterval: 200 });
    analytics.page({ anonymousId: 'anon-seg-1', name: 'ID.4 车型页', properties: { path: '/models/id4' } });
    analytics.track({ anonymousId: 'anon-seg-1', event: '预约试驾', properties: { model: 'ID.4' } });
    analytics.identify({
      anonymousId: 'anon-seg-1',
      userId: 'crm-1001',
      traits: { name: '李娜', phone: '+86 139-1111-2222', city: '杭州' },
    });
    await analytics.closeAndFlush({ timeout: 10_000 });
    await t.pipeline.drain();
    const [c] = await customerByPhone('13911112222');
    expect(c?.name).toBe('李娜');
    expect(c?.phoneMasked).toBe('139****2222');
    const timeline = await t.app.inject({ method: 'GET', url: `/api/customers/${c!.id}/timeline`, headers: admin.headers() });
    expect(
      timeline
        .json()
        .items.map((e: { type: string }) => e.type)
        .sort(),
    ).toEqual(['identify', 'page', 'track']);
  });

  it('a retried messageId is stored once; gzip and text/plain bodies are accepted', async () => {
    const msg = { type: 'track', event: 'Brochure Downloaded', anonymousId: 'anon-retry', messageId: 'retry-1' };
    const body = JSON.stringify({ batch: [msg] });
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { ...basic(writeKey), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: gzipSync(body),
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ batch: [msg], writeKey }),
    });
    // The acknowledgement only writes the log; the pipeline drops the retry against message_ids.
    expect(again.json()).toMatchObject({ accepted: 1, duplicates: 0 });
    const inOneRequest = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: basic(writeKey), payload: { batch: [msg, msg] } });
    expect(inOneRequest.json()).toMatchObject({ accepted: 1, duplicates: 1 });
    await t.pipeline.drain();
    await t.pipeline.drain();
    const [row] = await rowsOf<{ n: number | string }>(t.database.db, sql`select count(*) as n from events where message_id = 'retry-1'`);
    expect(Number(row!.n)).toBe(1);
    const [dup] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select coalesce(sum(value), 0) as n from source_counters where counter = 'duplicate'`,
    );
    expect(Number(dup!.n)).toBe(3);
  });

  it('corrects client clock skew from sentAt and keeps originalTimestamp', async () => {
    const sentAt = new Date(Date.now() + 3600_000); // the client's clock runs an hour fast
    const original = new Date(sentAt.getTime() - 60_000);
    const res = await batch([
      {
        type: 'track',
        event: 'Skewed',
        anonymousId: 'anon-skew',
        messageId: 'skew-1',
        timestamp: original.toISOString(),
        sentAt: sentAt.toISOString(),
      },
    ]);
    expect(res.json().accepted).toBe(1);
    await t.pipeline.drain();
    const [e] = await rowsOf<{ timestamp: Date | string; original_timestamp: Date | string }>(
      t.database.db,
      sql`select timestamp, original_timestamp from events where message_id = 'skew-1'`,
    );
    const corrected = new Date(e!.timestamp).getTime();
    expect(Math.abs(corrected - (Date.now() - 60_000))).toBeLessThan(10_000);
    expect(new Date(e!.original_timestamp).toISOString()).toBe(original.toISOString());
  });

  it('rejects bad messages one by one with a reason, counts them, and never answers 500', async () => {
    const res = await batch([
      { type: 'track', event: 'ok', anonymousId: 'anon-ok' },
      { type: 'track', anonymousId: 'anon-x' },
      { type: 'identify', userId: 'u-bad', traits: { phone: '12345' } },
      { type: 'identify', userId: 'u-bad2', traits: { email: 'not-an-email' } },
      { type: 'track', event: 'future', anonymousId: 'a', timestamp: '2099-01-01T00:00:00Z' },
      { type: 'bogus', anonymousId: 'a' },
      { type: 'identify', userId: 'u-big', traits: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])) },
      'not an object',
      { type: 'track', event: 'x', anonymousId: 'a', properties: { note: 'nul \u0000 here' } },
    ]);
    expect(res.statusCode).toBe(200);
    const reasons = res.json().rejected.map((r: { index: number; reason: string }) => `${r.index}:${r.reason}`);
    expect(reasons).toEqual([
      '1:missing_event',
      '2:invalid_phone',
      '3:invalid_email',
      '4:timestamp_in_future',
      '5:invalid_type',
      '6:traits_too_large',
      '7:not_an_object',
      '8:invalid_characters',
    ]);
    expect(res.json().accepted).toBe(1);
    await t.pipeline.flush();
    const source = await t.app.inject({ method: 'GET', url: `/api/sources/${sourceId}`, headers: admin.headers() });
    expect(source.json().counters['rejected:invalid_phone']).toBeGreaterThanOrEqual(1);
    const debug = await t.app.inject({ method: 'GET', url: `/api/sources/${sourceId}/debugger`, headers: admin.headers() });
    const rejected = debug.json().items.filter((i: { status: string }) => i.status === 'rejected');
    expect(rejected.some((r: { reason: string; message: string }) => r.reason === 'invalid_phone' && r.message.includes('phone'))).toBe(
      true,
    );
  });

  it('answers malformed JSON, unknown keys, oversized and too-long batches with a clear 4xx', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { ...basic(writeKey), 'content-type': 'application/json' },
      payload: '{"batch": [',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION_FAILED');
    expect(malformed.json().error.message).toBe('body: not valid JSON');
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: basic('fcw_nope'),
      payload: { event: 'x', anonymousId: 'a' },
    });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.message).toMatch(/writeKey/);
    const big = await batch([{ type: 'track', event: 'x', anonymousId: 'a', properties: { blob: 'x'.repeat(600 * 1024) } }]);
    expect(big.statusCode).toBe(413);
    const many = await batch(Array.from({ length: 2501 }, () => ({ type: 'track', event: 'x', anonymousId: 'a' })));
    expect(many.statusCode).toBe(413);
    const badGzip = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { ...basic(writeKey), 'content-encoding': 'gzip', 'content-type': 'application/json' },
      payload: 'not gzip',
    });
    expect(badGzip.statusCode).toBe(400);
    expect(badGzip.json().error.message).toBe('content-encoding: the body is not valid gzip data');
  });

  it('a revoked source’s key stops working', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/sources',
      headers: admin.headers(true),
      payload: { name: 'Old app', kind: 'app' },
    });
    const { writeKey: key, source } = created.json();
    const ok = await t.app.inject({ method: 'POST', url: '/v1/track', headers: basic(key), payload: { event: 'x', anonymousId: 'a' } });
    expect(ok.statusCode).toBe(200);
    const revoked = await t.app.inject({
      method: 'POST',
      url: `/api/sources/${source.id}/revoke`,
      headers: admin.headers(true),
      payload: { version: source.version },
    });
    expect(revoked.statusCode).toBe(200);
    const denied = await t.app.inject({ method: 'POST', url: '/v1/track', headers: basic(key), payload: { event: 'x', anonymousId: 'a' } });
    expect(denied.statusCode).toBe(401);
  });
});

describe('One ID', () => {
  it('merges two profiles when a message links their identities, and unmerge splits them back with their events', async () => {
    await batch([
      { type: 'page', anonymousId: 'dev-A', name: 'home', messageId: 'm-a1' },
      {
        type: 'identify',
        userId: 'crm-77',
        traits: { name: '张伟', phone: '13700001111', email: 'zw@fctest.cn', city: '上海', consent: { 'marketing.sms': true } },
        messageId: 'm-b1',
      },
    ]);
    await t.pipeline.drain();
    const [before] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(distinct profile_id) as n from events where message_id in ('m-a1','m-b1')`,
    );
    expect(Number(before!.n)).toBe(2);
    // The device logs in: anonymousId dev-A and the phone of crm-77 in one message.
    await batch([{ type: 'identify', anonymousId: 'dev-A', traits: { phone: '137 0000 1111' }, messageId: 'm-link' }]);
    await t.pipeline.drain();
    const [c] = await customerByPhone('13700001111');
    const detail = (await t.app.inject({ method: 'GET', url: `/api/customers/${c!.id}`, headers: admin.headers() })).json();
    expect(detail.merges).toHaveLength(1);
    expect(detail.identities.map((i: { type: string }) => i.type).sort()).toEqual(['anonymous_id', 'email', 'phone', 'user_id']);
    const [after] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(distinct profile_id) as n from events where message_id in ('m-a1','m-b1','m-link')`,
    );
    expect(Number(after!.n)).toBe(1);

    const res = await t.app.inject({
      method: 'POST',
      url: `/api/customers/${c!.id}/merges/${detail.merges[0].id}/unmerge`,
      headers: admin.headers(true),
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    const [split] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(distinct profile_id) as n from events where message_id in ('m-a1','m-b1')`,
    );
    expect(Number(split!.n)).toBe(2);
    // Each side gets back its own name and city: the device never had either.
    const sides = await rowsOf<{ name: string | null; city: string | null }>(
      t.database.db,
      sql`select name, city from profiles where id in (select profile_id from events where message_id in ('m-a1','m-b1')) order by name nulls first`,
    );
    expect(sides).toEqual([
      { name: null, city: null },
      { name: '张伟', city: '上海' },
    ]);
    // The consent 张伟 gave goes back with him; the device never gave any.
    const consentsBySide = await rowsOf<{ name: string | null; n: number | string }>(
      t.database.db,
      sql`select p.name, count(c.id) as n from profiles p left join consents c on c.profile_id = p.id
          where p.id in (select profile_id from events where message_id in ('m-a1','m-b1')) group by p.name order by p.name nulls first`,
    );
    expect(consentsBySide.map((r) => [r.name, Number(r.n)])).toEqual([
      [null, 0],
      ['张伟', 1],
    ]);
    // The decision holds: the next message linking both does not merge them again.
    await batch([{ type: 'identify', anonymousId: 'dev-A', traits: { phone: '13700001111' }, messageId: 'm-link-2' }]);
    await t.pipeline.drain();
    const again = (await t.app.inject({ method: 'GET', url: `/api/customers/${c!.id}`, headers: admin.headers() })).json();
    expect(again.merges.filter((m: { unmergedAt: string | null }) => !m.unmergedAt)).toHaveLength(0);
    const audit = await rowsOf<{ action: string }>(t.database.db, sql`select action from audit_log where action = 'customer.unmerged'`);
    expect(audit).toHaveLength(1);
  });

  it('junk values never merge, and a front-desk phone stops linking after repeated conflicts', async () => {
    await batch([
      { type: 'identify', userId: 'j-1', traits: { phone: '13800000000', name: '甲' } },
      { type: 'identify', userId: 'j-2', traits: { phone: '13800000000', name: '乙' } },
    ]);
    await t.pipeline.drain();
    const junk = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from identities where type = 'phone' and masked = '138****0000'`,
    );
    expect(Number(junk[0]!.n)).toBe(0);
    // The rules an import uses apply here too: the example number printed on forms, a test mail domain.
    await batch([
      { type: 'identify', userId: 'j-3', traits: { phone: '13800138000', email: 'abc@test.com', name: '丙' } },
      { type: 'identify', userId: 'j-4', traits: { phone: '13800138000', email: 'abc@test.com', name: '丁' } },
    ]);
    await t.pipeline.drain();
    const examples = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from identities where (type = 'phone' and masked = '138****8000') or (type = 'email' and masked like '%@test.com')`,
    );
    expect(Number(examples[0]!.n)).toBe(0);
    const apart = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(distinct profile_id) as n from identities where type = 'user_id' and profile_id in (select profile_id from events where properties->>'name' in ('丙', '丁'))`,
    );
    expect(Number(apart[0]!.n)).toBe(2);

    // Four walk-ins typed in with the store's front-desk number, each with their own CRM id.
    for (let i = 1; i <= 4; i++)
      await batch([{ type: 'identify', userId: `walkin-${i}`, traits: { phone: '13955556666', name: `客户${i}` } }]);
    await t.pipeline.drain();
    const profiles = await rowsOf<{ profile_id: string }>(
      t.database.db,
      sql`select distinct profile_id from identities where type = 'user_id' and profile_id in (select profile_id from events where properties->>'name' like '客户%')`,
    );
    expect(profiles.length).toBe(4);
    const [shared] = await rowsOf<{ blocked: boolean }>(
      t.database.db,
      sql`select blocked from shared_identities where masked = '139****6666'`,
    );
    expect(shared?.blocked).toBe(true);
  });

  it('a userId counts once per source: the CRM number and the website login of one person merge, two CRM numbers do not', async () => {
    const crm = await t.app.inject({
      method: 'POST',
      url: '/api/sources',
      headers: admin.headers(true),
      payload: { name: 'DMS 客户档案', kind: 'dms' },
    });
    expect(crm.statusCode).toBe(201);
    const crmKey: string = crm.json().writeKey;
    const viaCrm = (messages: unknown[]) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { ...basic(crmKey), 'content-type': 'application/json' },
        payload: { batch: messages },
      });

    // The website knows her by her login; the DMS by its customer number; her phone joins the two.
    expect((await batch([{ type: 'identify', userId: 'web-login-77', traits: { name: '周婷', phone: '13577778888' } }])).statusCode).toBe(
      200,
    );
    await t.pipeline.drain();
    expect((await viaCrm([{ type: 'identify', userId: 'C-000777', traits: { phone: '13577778888' } }])).statusCode).toBe(200);
    await t.pipeline.drain();
    const [joined, ...more] = await customerByPhone('13577778888');
    expect(more).toEqual([]);
    const ids = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from identities where type = 'user_id' and profile_id = ${joined!.id}::uuid`,
    );
    expect(Number(ids[0]!.n)).toBe(2);
    const reviews = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from identity_reviews where masked = '135****8888'`,
    );
    expect(Number(reviews[0]!.n)).toBe(0);

    // A second DMS customer number with the same phone is another person (or a typing error): not merged.
    await viaCrm([{ type: 'identify', userId: 'C-000778', traits: { name: '周涛', phone: '13577778888' } }]);
    await t.pipeline.drain();
    const owners = await rowsOf<{ profile_id: string }>(
      t.database.db,
      sql`select distinct profile_id from identities where type = 'user_id' and source_id = ${crm.json().source.id}::uuid`,
    );
    expect(owners.length).toBe(2);
  });

  it('traits keep their source and time; an older message does not overwrite a newer value', async () => {
    const now = Date.now();
    await batch([
      { type: 'identify', userId: 'tr-1', traits: { city: '苏州', phone: '13622223333' }, timestamp: new Date(now).toISOString() },
    ]);
    await batch([{ type: 'identify', userId: 'tr-1', traits: { city: '无锡' }, timestamp: new Date(now - 86_400_000).toISOString() }]);
    await t.pipeline.drain();
    const [c] = await customerByPhone('13622223333');
    const detail = (await t.app.inject({ method: 'GET', url: `/api/customers/${c!.id}`, headers: admin.headers() })).json();
    const city = detail.traits.find((x: { key: string }) => x.key === 'city');
    expect(city).toMatchObject({ value: '苏州', sourceName: 'Website' });
  });
});

describe('personal data', () => {
  it('reveal is audited; export has everything; erase leaves nothing but a count in the audit log', async () => {
    await batch([
      {
        type: 'identify',
        userId: 'pii-1',
        anonymousId: 'pii-anon',
        traits: { name: '赵敏', phone: '13544445555', consent: { 'marketing.sms': true } },
      },
    ]);
    await t.pipeline.drain();
    const [c] = await customerByPhone('13544445555');
    const consultant = await t.login('sha01.sales1');
    const hidden = await t.app.inject({ method: 'GET', url: `/api/customers/${c!.id}`, headers: consultant.headers() });
    expect(hidden.statusCode).toBe(404); // not theirs
    const revealed = await t.app.inject({ method: 'POST', url: `/api/customers/${c!.id}/reveal`, headers: admin.headers(true) });
    expect(revealed.json().items.find((i: { type: string }) => i.type === 'phone').value).toBe('+8613544445555');
    const detail = (await t.app.inject({ method: 'GET', url: `/api/customers/${c!.id}`, headers: admin.headers() })).json();
    expect(detail.consents).toEqual([expect.objectContaining({ purpose: 'marketing', channel: 'sms', granted: true })]);
    const exported = await t.app.inject({ method: 'GET', url: `/api/customers/${c!.id}/personal-data`, headers: admin.headers() });
    expect(exported.body).toContain('+8613544445555');
    // Not processed yet when the request comes: one log row holding this person's message and a stranger's.
    await batch([
      { type: 'track', event: 'Still Pending', userId: 'pii-1', messageId: 'pii-pending' },
      { type: 'track', event: 'Someone Else', anonymousId: 'stranger-anon', messageId: 'stranger-pending' },
    ]);
    const erased = await t.app.inject({
      method: 'POST',
      url: `/api/customers/${c!.id}/erase`,
      headers: admin.headers(true),
      payload: { confirm: true },
    });
    expect(erased.statusCode).toBe(200);
    expect(await customerByPhone('13544445555')).toEqual([]);
    const left = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select (select count(*) from events where profile_id = ${c!.id}::uuid) + (select count(*) from identities where profile_id = ${c!.id}::uuid) + (select count(*) from consents where profile_id = ${c!.id}::uuid) as n`,
    );
    expect(Number(left[0]!.n)).toBe(0);
    expect(erased.json().erased.pendingMessages).toBe(1);
    await t.pipeline.drain();
    const names = await rowsOf<{ name: string }>(
      t.database.db,
      sql`select name from events where message_id in ('pii-pending', 'stranger-pending')`,
    );
    expect(names.map((r) => r.name)).toEqual(['Someone Else']);
    const audit = await rowsOf<{ details: unknown }>(t.database.db, sql`select details from audit_log where action = 'customer.erased'`);
    expect(JSON.stringify(audit)).not.toMatch(/赵敏|1354444|pii-/);
  });
});
