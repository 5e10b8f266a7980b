import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../../test/harness.js';
import { duplicateScanJob } from './job.js';
import { runDuplicateScan } from './scan.js';

let t: TestApp;
let admin: Session;
let manager: Session; // sha01.manager: the store whose source the people below came in through
let otherManager: Session; // hgh01.manager: another store
let consultant: Session;
let tenantId: string;
let writeKey: string;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  manager = await t.login('sha01.manager');
  otherManager = await t.login('hgh01.manager');
  consultant = await t.login('sha01.sales1');
  tenantId = admin.me.tenant.id;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/sources',
    headers: admin.headers(true),
    payload: { name: '浦东店官网', kind: 'website', orgUnitId: manager.me.user.orgUnitId },
  });
  expect(res.statusCode).toBe(201);
  writeKey = res.json().writeKey;
});
afterAll(() => t.stop());

let seq = 0;
async function send(messages: Record<string, unknown>[]) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
    payload: { batch: messages.map((m) => ({ type: 'identify', messageId: `dup-${++seq}`, ...m })) },
  });
  expect(res.json()).toMatchObject({ accepted: messages.length });
  await t.pipeline.drain();
}
/** A CRM customer (known by userId) or a website visitor (anonymous id only). */
const person = (id: string, traits: Record<string, unknown>) =>
  id.startsWith('web-') ? { anonymousId: id, traits } : { userId: id, traits };

/** The profile a phone number or e-mail resolved to, through the customer search (blind index). */
async function find(q: string): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: `/api/customers?q=${encodeURIComponent(q)}`, headers: admin.headers() });
  const [item] = res.json().items as { id: string }[];
  if (!item) throw new Error(`no customer for ${q}`);
  return item.id;
}

type Side = { id: string; name: string | null; phoneMasked: string | null };
type Pair = { a: Side; b: Side; score: number; reasons: string[] };

async function list(session: Session) {
  const res = await t.app.inject({ method: 'GET', url: '/api/identity/duplicates?limit=100', headers: session.headers() });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    items: Pair[];
    total: number;
  };
}
const hasPair = (items: { a: { id: string }; b: { id: string } }[], x: string, y: string) =>
  items.some((p) => (p.a.id === x && p.b.id === y) || (p.a.id === y && p.b.id === x));

const decide = (session: Session, x: string, y: string, decision: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/identity/duplicates/${x}/${y}/decision`,
    headers: session.headers(true),
    payload: { decision },
  });

// Look-alikes (no shared phone or e-mail, so the resolver kept them apart) and two strangers.
const zhang = { a: '13852345678', b: '13852345679' };
const liu = { a: '13655550001', b: '13655550002' };
const chen = { a: '13611112222', b: '13611112223' };
const zhou = { a: '13511112222', b: '13511112223' };
const strangers = { a: '13900001111', b: '13700002222' };

describe('probable-duplicate job', () => {
  beforeAll(async () => {
    await send([
      person('crm-1', { name: '张伟', phone: zhang.a, city: '上海', vehicle_of_interest: 'ID.4' }),
      person('web-7', { name: 'Zhang Wei', phone: zhang.b, city: '上海市' }),
      person('crm-2', { name: '刘洋', phone: liu.a, email: 'liuyang1990@163.com', city: '杭州' }),
      person('web-8', { name: '刘阳', email: 'liu.yang1990@qq.com', city: '杭州' }),
      person('crm-3', { name: '陈静', phone: chen.a, city: '上海' }),
      person('web-9', { name: '陈婧', phone: chen.b, city: '上海' }),
      person('crm-4', { name: '周杰', phone: zhou.a, city: '上海' }),
      person('web-10', { name: '周洁', phone: zhou.b, city: '上海' }),
      person('crm-5', { name: '李娜', phone: strangers.a, city: '北京' }),
      person('crm-6', { name: '王芳', phone: strangers.b, city: '深圳' }),
    ]);
    const result = await runDuplicateScan(t.database, t.keys, tenantId);
    expect(result.done).toBe(true);
  });

  it('queues 张伟 13852345678 and Zhang Wei 13852345679 in one city, with reasons, and not two strangers', async () => {
    const { items, total } = await list(manager);
    const [a, b] = [await find(zhang.a), await find(zhang.b)];
    const pair = items.find((p) => hasPair([p], a, b));
    expect(pair).toBeDefined();
    expect(pair!.reasons).toEqual(expect.arrayContaining(['name_latin', 'phone_one_digit', 'city_equal']));
    expect(pair!.score).toBeGreaterThanOrEqual(0.8);
    // Both sides masked.
    expect([pair!.a.phoneMasked, pair!.b.phoneMasked].sort()).toEqual(['138****5678', '138****5679']);
    expect(JSON.stringify(items)).not.toContain(zhang.a);
    expect(hasPair(items, await find(liu.a), await find('liu.yang1990@qq.com'))).toBe(true);
    const [x, y] = [await find(strangers.a), await find(strangers.b)];
    expect(hasPair(items, x, y)).toBe(false);
    const [row] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from duplicate_pairs where profile_a in (${x}::uuid, ${y}::uuid) and profile_b in (${x}::uuid, ${y}::uuid)`,
    );
    expect(Number(row!.n)).toBe(0);
    expect(total).toBe(items.length);
    expect(total).toBe(4);
  });

  it('stores blocking keys hashed: no phone digits or mailbox names at rest', async () => {
    const keys = await rowsOf<{ key: string }>(
      t.database.db,
      sql`select key from profile_blocking_keys where tenant_id = ${tenantId}::uuid`,
    );
    expect(keys.length).toBeGreaterThan(50);
    const blocking = keys.filter((k) => !k.key.startsWith('~'));
    // 96-bit hashes, base64url: nothing of the number or the mailbox name shows.
    expect(blocking.filter((k) => !/^[\w-]{16}$/.test(k.key))).toEqual([]);
    const fragments = [zhang.a.slice(0, 7), zhang.a.slice(4), liu.a.slice(0, 7), 'liuyang', 'zhangwei', 'wangfang'];
    expect(keys.filter((k) => fragments.some((f) => k.key.includes(f)))).toEqual([]);
  });

  it('when a profile only gets events it is not queued; when a message repeats what is known, the scan stops at the fingerprint', async () => {
    await send([{ type: 'track', userId: 'crm-1', event: '浏览车型', properties: { series: 'ID.4' } }]);
    expect(await runDuplicateScan(t.database, t.keys, tenantId)).toMatchObject({ profiles: 0, done: true });
    await send([person('crm-1', { city: '上海', vehicle_of_interest: 'ID.4' })]);
    expect(await runDuplicateScan(t.database, t.keys, tenantId)).toMatchObject({ profiles: 1, rekeyed: 0, pairsScored: 0, done: true });
  });

  it('when a reviewer says not the same person, the pair is never proposed again, even after both profiles change', async () => {
    const [a, b] = [await find(liu.a), await find('liu.yang1990@qq.com')];
    const res = await decide(manager, b, a, 'not_same'); // either order names the pair
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'not_same', survivorId: null });
    await send([
      person('crm-2', { city: '杭州市', vehicle_of_interest: 'ID.6' }),
      person('web-8', { vehicle_of_interest: 'ID.6', phone: '13655550003' }),
    ]);
    const scan = await runDuplicateScan(t.database, t.keys, tenantId);
    expect(scan.rekeyed).toBe(2);
    expect(scan.pairsScored).toBe(0);
    expect(hasPair((await list(manager)).items, a, b)).toBe(false);
    const [row] = await rowsOf<{ status: string; decided_by: string }>(
      t.database.db,
      sql`select status, decided_by from duplicate_pairs where profile_a = ${a < b ? a : b}::uuid and profile_b = ${a < b ? b : a}::uuid`,
    );
    expect(row).toEqual({ status: 'not_same', decided_by: manager.me.user.id });
    expect((await decide(manager, a, b, 'merge')).statusCode).toBe(409);
    const [audit] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from audit_log where action = 'customer.duplicate_rejected' and actor_id = ${manager.me.user.id}::uuid`,
    );
    expect(Number(audit!.n)).toBe(1);
  });

  it('merge: the older profile survives, events follow it, a merge record and an audit row exist; a second decision is 409', async () => {
    const [a, b] = [await find(zhang.a), await find(zhang.b)];
    const [older, newer] = a < b ? [a, b] : [b, a];
    const eventsBefore = await rowsOf<{ profile_id: string; n: number | string }>(
      t.database.db,
      sql`select profile_id, count(*) as n from events where profile_id in (${a}::uuid, ${b}::uuid) group by profile_id`,
    );
    const total = eventsBefore.reduce((s, r) => s + Number(r.n), 0);
    expect(eventsBefore.length).toBe(2);

    const res = await decide(manager, a, b, 'merge');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'merged', survivorId: older });

    const eventsAfter = await rowsOf<{ profile_id: string; n: number | string }>(
      t.database.db,
      sql`select profile_id, count(*) as n from events where profile_id in (${a}::uuid, ${b}::uuid) group by profile_id`,
    );
    expect(eventsAfter.map((r) => [r.profile_id, Number(r.n)])).toEqual([[older, total]]);
    const [merge] = await rowsOf<{ id: string; reason: string; actor_id: string; absorbed_id: string }>(
      t.database.db,
      sql`select id, reason, actor_id, absorbed_id from merges where survivor_id = ${older}::uuid`,
    );
    expect(merge).toMatchObject({ reason: 'duplicate_review', actor_id: manager.me.user.id, absorbed_id: newer });
    const [audit] = await rowsOf<{ target_id: string; details: { mergeIds: string[]; absorbedIds: string[] } }>(
      t.database.db,
      sql`select target_id, details from audit_log where action = 'customer.merged'`,
    );
    expect(audit).toMatchObject({ target_id: older, details: { mergeIds: [merge!.id], absorbedIds: [newer] } });

    // The 360 of either id is the survivor, holding both phones, the merge in its history, and the traits of both.
    const c360 = await t.app.inject({ method: 'GET', url: `/api/customers/${newer}`, headers: manager.headers() });
    expect(c360.statusCode).toBe(200);
    const customer = c360.json();
    expect(customer.id).toBe(older);
    expect(
      customer.identities
        .filter((i: { type: string }) => i.type === 'phone')
        .map((i: { masked: string }) => i.masked)
        .sort(),
    ).toEqual(['138****5678', '138****5679']);
    expect(customer.merges).toEqual([expect.objectContaining({ id: merge!.id, reason: 'duplicate_review', unmergedAt: null })]);
    expect(customer.traits.find((x: { key: string }) => x.key === 'vehicle_of_interest')?.value).toBe('ID.4');

    expect((await decide(manager, a, b, 'merge')).statusCode).toBe(409);
    expect((await decide(manager, a, b, 'not_same')).statusCode).toBe(409);
    expect(hasPair((await list(manager)).items, a, b)).toBe(false);
  });

  it('when two reviewers answer the same pair at once, one wins and the other gets 409', async () => {
    const [a, b] = [await find(zhou.a), await find(zhou.b)];
    const answers = await Promise.all([decide(manager, a, b, 'merge'), decide(admin, a, b, 'not_same')]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.statusCode === 409)!.json().error.code).toBe('CONFLICT');
  });

  it('when a manager of another store asks for the pair, then 404 and it is not in their list; a consultant has no merge permission', async () => {
    const [a, b] = [await find(chen.a), await find(chen.b)];
    expect(hasPair((await list(otherManager)).items, a, b)).toBe(false);
    expect((await list(otherManager)).total).toBe(0);
    const res = await decide(otherManager, a, b, 'merge');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    expect((await decide(consultant, a, b, 'merge')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/identity/duplicates', headers: consultant.headers() })).statusCode).toBe(403);
    // Untouched: the pair's own store still sees it open.
    expect(hasPair((await list(manager)).items, a, b)).toBe(true);
  });

  it('bad input is a 400 naming the field, never a 500', async () => {
    const [a, b] = [await find(chen.a), await find(chen.b)];
    const maybe = await decide(manager, a, b, 'maybe');
    expect(maybe.statusCode).toBe(400);
    expect(maybe.json().error.message).toMatch(/^body\.decision/);
    const same = await decide(manager, a, a, 'merge');
    expect(same.statusCode).toBe(400);
    expect(same.json().error.message).toMatch(/^params\.b/);
    expect((await decide(manager, 'not-a-uuid', b, 'merge')).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/identity/duplicates?cursor=zzz', headers: manager.headers() })).statusCode).toBe(
      400,
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/identity/duplicates?limit=0', headers: manager.headers() })).statusCode).toBe(
      400,
    );
  });

  it('pages through open pairs with a cursor, best first', async () => {
    await send([
      person('crm-11', { name: '孙丽', phone: '13322223333', city: '上海' }),
      person('web-11', { name: 'Sun Li', phone: '13322223334', city: '上海' }),
    ]);
    const scan = await t.app.inject({ method: 'POST', url: '/api/identity/duplicates/scan', headers: manager.headers(true) });
    expect(scan.statusCode).toBe(200);
    expect(scan.json()).toMatchObject({ done: true, pairsQueued: 1 });
    const first = await t.app.inject({ method: 'GET', url: '/api/identity/duplicates?limit=1', headers: manager.headers() });
    const next = await t.app.inject({
      method: 'GET',
      url: `/api/identity/duplicates?limit=1&cursor=${first.json().nextCursor}`,
      headers: manager.headers(),
    });
    expect(first.json().total).toBe(2);
    expect(next.json().items).toHaveLength(1);
    expect(next.json().nextCursor).toBeNull();
    expect(first.json().items[0].score).toBeGreaterThanOrEqual(next.json().items[0].score);
    expect(first.json().items[0].a.id).not.toBe(next.json().items[0].a.id);
  });

  it('when both profiles hold a userId of the same source, a merge is refused with 409 and the pair stays open', async () => {
    await send([
      person('crm-13', { name: '吴磊', phone: '13452345678', city: '上海' }),
      person('crm-14', { name: 'Wu Lei', phone: '13452345679', city: '上海' }),
    ]);
    await runDuplicateScan(t.database, t.keys, tenantId);
    const [a, b] = [await find('13452345678'), await find('13452345679')];
    expect(hasPair((await list(manager)).items, a, b)).toBe(true);
    const res = await decide(manager, a, b, 'merge');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details).toEqual({ reason: 'identity_limit', identityType: 'user_id' });
    expect(hasPair((await list(manager)).items, a, b)).toBe(true);
    expect((await decide(manager, a, b, 'not_same')).statusCode).toBe(200);
  });

  it('the scheduled job scans every tenant with queued profiles', async () => {
    await send([person('crm-12', { name: '黄磊', phone: '13299998888', city: '上海' })]);
    const [queued] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from profile_blocking_keys where key = '~stale'`,
    );
    expect(Number(queued!.n)).toBe(1);
    await duplicateScanJob.handler({}, { database: t.database, keys: t.keys, logger: t.logger });
    const [left] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from profile_blocking_keys where key = '~stale'`,
    );
    expect(Number(left!.n)).toBe(0);
  });

  it('an unmerge queues both profiles again and the pair stays decided', async () => {
    const [a, b] = [await find(zhang.a), await find(zhang.b)];
    expect(a).toBe(b); // merged above: both numbers find the survivor
    const [merge] = await rowsOf<{ id: string; absorbed_id: string }>(
      t.database.db,
      sql`select id, absorbed_id from merges where survivor_id = ${a}::uuid and reason = 'duplicate_review'`,
    );
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/customers/${a}/merges/${merge!.id}/unmerge`,
      headers: manager.headers(true),
    });
    expect(res.statusCode).toBe(200);
    const scan = await runDuplicateScan(t.database, t.keys, tenantId);
    expect(scan.profiles).toBe(2);
    expect(hasPair((await list(manager)).items, a, merge!.absorbed_id)).toBe(false);
  });
});

describe('identity reviews', () => {
  /** Four profiles, then one message that names all four: more than maxProfilesPerMerge (3), so a review. */
  async function reviewOf(tag: string, phone: string): Promise<{ id: string; profiles: string[] }> {
    await send([
      { anonymousId: `${tag}-a1`, traits: { phone } },
      { anonymousId: `${tag}-a2`, traits: { email: `${tag}.person@fctest.cn` } },
      { userId: `${tag}-u3`, traits: { name: '赵敏' } },
      { anonymousId: `${tag}-a4`, traits: { city: '上海' } },
    ]);
    await send([{ userId: `${tag}-u3`, anonymousId: `${tag}-a4`, traits: { phone, email: `${tag}.person@fctest.cn` } }]);
    const res = await t.app.inject({ method: 'GET', url: '/api/identity/reviews?limit=100', headers: manager.headers() });
    expect(res.statusCode).toBe(200);
    const review = (res.json().items as { id: string; masked: string; reason: string; profiles: { id: string }[] }[]).find(
      (r) => r.masked === `${phone.slice(0, 3)}****${phone.slice(-4)}`,
    );
    expect(review).toMatchObject({ reason: 'too_many_profiles' });
    expect(review!.profiles).toHaveLength(4);
    return { id: review!.id, profiles: review!.profiles.map((p) => p.id) };
  }
  const decideReview = (session: Session, id: string, decision: string) =>
    t.app.inject({ method: 'POST', url: `/api/identity/reviews/${id}/decision`, headers: session.headers(true), payload: { decision } });

  it('merge joins the profiles the review names into the oldest, audited; a second answer is 409', async () => {
    const review = await reviewOf('rv1', '13177776666');
    expect((await decideReview(otherManager, review.id, 'merge')).statusCode).toBe(404);
    const res = await decideReview(manager, review.id, 'merge');
    expect(res.statusCode).toBe(200);
    const oldest = [...review.profiles].sort()[0];
    expect(res.json()).toEqual({ status: 'merged', survivorId: oldest });
    const live = await rowsOf<{ id: string }>(
      t.database.db,
      sql`select id from profiles where id in (select jsonb_array_elements_text(${JSON.stringify(review.profiles)}::jsonb)::uuid) and merged_into is null`,
    );
    expect(live.map((r) => r.id)).toEqual([oldest]);
    const [audit] = await rowsOf<{ details: { decision: string; mergeIds: string[] } }>(
      t.database.db,
      sql`select details from audit_log where action = 'identity.review_decided' and target_id = ${review.id}`,
    );
    expect(audit!.details.decision).toBe('merge');
    expect(audit!.details.mergeIds).toHaveLength(3);
    expect((await decideReview(manager, review.id, 'dismiss')).statusCode).toBe(409);
  });

  it('shared: the value stops linking anyone, so the next message with it starts its own profile', async () => {
    const phone = '13155554444';
    const review = await reviewOf('rv2', phone);
    const res = await decideReview(manager, review.id, 'shared');
    expect(res.json()).toEqual({ status: 'shared', survivorId: null });
    const [shared] = await rowsOf<{ blocked: boolean; reason: string }>(
      t.database.db,
      sql`select blocked, reason from shared_identities where masked = ${'131****4444'}`,
    );
    expect(shared).toEqual({ blocked: true, reason: 'review' });
    await send([{ anonymousId: 'walk-in-1', traits: { phone, name: '前台登记' } }]);
    const [walkIn] = await rowsOf<{ profile_id: string }>(
      t.database.db,
      sql`select profile_id from events where properties->>'name' = '前台登记'`,
    );
    expect(review.profiles).not.toContain(walkIn!.profile_id);
  });

  it('dismiss closes the review and changes nothing else', async () => {
    const review = await reviewOf('rv3', '13133332222');
    expect((await decideReview(manager, review.id, 'dismiss')).json()).toEqual({ status: 'dismissed', survivorId: null });
    const reviews = await t.app.inject({ method: 'GET', url: '/api/identity/reviews', headers: manager.headers() });
    expect(reviews.json().items.map((r: { id: string }) => r.id)).not.toContain(review.id);
    expect((await decideReview(manager, review.id, 'maybe')).statusCode).toBe(400);
  });
});
