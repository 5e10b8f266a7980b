import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { runClaimTimeouts } from './claim-timeout.js';
import { count, createSource, leadFor, newPhone, onDutyOnly, postLead, unitOf, userOf } from './lead-test-helpers.js';
import { firstMatchingRule, matchesConditions, placeKey, type LeadFacts } from './match-rule.js';
import { nextInTurn } from './route-lead.js';

let t: TestApp;
let admin: Session;
let sha: { id: string };
let nkg: { id: string };
let web: { id: string };

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  sha = await createSource(t, admin, 'SHA01 官网', { storeCode: 'SHA01' });
  nkg = await createSource(t, admin, 'NKG01 官网', { storeCode: 'NKG01' });
  web = await createSource(t, admin, '品牌官网', { kind: 'website' }); // tenant-wide: no store of its own
});
afterAll(() => t.stop());

const ownerOf = async (leadId: string) =>
  (await rowsOf<{ owner_user_id: string | null }>(t.database.db, sql`select owner_user_id from leads where id = ${leadId}::uuid`))[0]!
    .owner_user_id;
const reasonsOf = async (leadId: string) =>
  (
    await rowsOf<{ reason: string }>(
      t.database.db,
      sql`select reason from lead_assignments where lead_id = ${leadId}::uuid order by at, id`,
    )
  ).map((r) => r.reason);
const addRule = async (payload: Record<string, unknown>) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/routing-rules', headers: admin.headers(true), payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number; position: number };
};
const removeRule = (id: string) => t.app.inject({ method: 'DELETE', url: `/api/routing-rules/${id}`, headers: admin.headers(true) });

describe('matching rules (pure)', () => {
  const facts: LeadFacts = {
    sourceId: 's1',
    province: '浙江省',
    city: '杭州市',
    brand: 'Xingchi',
    series: 'S7',
    condition: 'new',
    at: new Date('2026-03-02T12:30:00Z'), // 20:30 in Shanghai
  };
  it('compares places without their suffix and brands without case', () => {
    expect(placeKey('上海市')).toBe(placeKey('上海'));
    expect(matchesConditions({ cities: ['杭州'], provinces: ['浙江'], brands: ['xingchi'] }, facts, 'Asia/Shanghai')).toBe(true);
    expect(matchesConditions({ cities: ['宁波'] }, facts, 'Asia/Shanghai')).toBe(false);
    expect(matchesConditions({ condition: 'used' }, facts, 'Asia/Shanghai')).toBe(false);
    expect(matchesConditions({ sourceIds: ['s2'] }, facts, 'Asia/Shanghai')).toBe(false);
  });
  it('reads hours in the tenant’s time zone; a span past midnight wraps', () => {
    expect(matchesConditions({ hours: { from: '18:00', to: '09:00' } }, facts, 'Asia/Shanghai')).toBe(true);
    expect(matchesConditions({ hours: { from: '09:00', to: '18:00' } }, facts, 'Asia/Shanghai')).toBe(false);
    expect(matchesConditions({ hours: { from: '09:00', to: '18:00' } }, facts, 'UTC')).toBe(true); // 12:30 UTC
  });
  it('takes the first active match, and a broken rule never matches', () => {
    const rules = [
      { id: 'off', active: false, conditions: {} },
      { id: 'broken', active: true, conditions: { hours: { from: '25:00', to: '09:00' } } },
      { id: 'city', active: true, conditions: { cities: ['杭州'] } },
      { id: 'all', active: true, conditions: {} },
    ];
    expect(firstMatchingRule(rules, facts, 'Asia/Shanghai')?.id).toBe('city');
  });
  it('round robin takes the next id after the last one and wraps', () => {
    const users = [{ id: 'a' }, { id: 'c' }, { id: 'e' }];
    expect(nextInTurn(users, null)?.id).toBe('a');
    expect(nextInTurn(users, 'c')?.id).toBe('e');
    expect(nextInTurn(users, 'd')?.id).toBe('e'); // the last one left the rota
    expect(nextInTurn(users, 'e')?.id).toBe('a');
    expect(nextInTurn([], 'e')).toBeNull();
  });
});

describe('inside the store', () => {
  it('round robin alternates among on-duty consultants and skips the off-duty one and the one on leave', async () => {
    const [s1, s2, s3, dcc] = await Promise.all(['sha01.sales1', 'sha01.sales2', 'sha01.sales3', 'sha01.dcc'].map((l) => userOf(t, l)));
    await onDutyOnly(t, 'SHA01', ['sha01.sales1', 'sha01.sales2', 'sha01.dcc']);
    await t.database.db.execute(sql`insert into user_leave (tenant_id, id, user_id, starts_at, ends_at, note)
      select tenant_id, gen_random_uuid(), id, now() - interval '1 hour', now() + interval '1 day', '年假' from users where login = 'sha01.dcc'`);
    const owners: Array<string | null> = [];
    for (let i = 0; i < 4; i++) owners.push((await leadFor(t, admin, { sourceId: sha.id, customer: { phone: newPhone() } })).ownerUserId);
    expect(owners[0]).not.toBe(owners[1]);
    expect(owners[2]).toBe(owners[0]);
    expect(owners[3]).toBe(owners[1]);
    expect(new Set(owners)).toEqual(new Set([s1, s2]));
    expect(owners).not.toContain(s3);
    expect(owners).not.toContain(dcc);
  });

  it('fewest open leads goes to the least loaded consultant', async () => {
    const store = await unitOf(t, 'NKG01');
    const rule = await addRule({ name: '南京按负载', conditions: { sourceIds: [nkg.id] }, storeId: store.id, strategy: 'fewest_open' });
    const [a, b] = await Promise.all(['nkg01.sales1', 'nkg01.sales2'].map((l) => userOf(t, l)));
    await onDutyOnly(t, 'NKG01', ['nkg01.sales1']);
    for (let i = 0; i < 2; i++)
      expect((await leadFor(t, admin, { sourceId: nkg.id, customer: { phone: newPhone() } })).ownerUserId).toBe(a);
    await onDutyOnly(t, 'NKG01', ['nkg01.sales1', 'nkg01.sales2']);
    const third = await leadFor(t, admin, { sourceId: nkg.id, customer: { phone: newPhone() } });
    const fourth = await leadFor(t, admin, { sourceId: nkg.id, customer: { phone: newPhone() } });
    expect([third.ownerUserId, fourth.ownerUserId]).toEqual([b, b]);
    expect(await reasonsOf(third.leadId)).toEqual(['fewest_open']);
    const [row] = await rowsOf<{ routing_rule_id: string }>(
      t.database.db,
      sql`select routing_rule_id from leads where id = ${third.leadId}::uuid`,
    );
    expect(row!.routing_rule_id).toBe(rule.id);
    expect((await removeRule(rule.id)).statusCode).toBe(204);
  });

  it('a returning customer goes to their consultant first, unless that consultant is on leave', async () => {
    const [s1, s2] = await Promise.all(['sha01.sales1', 'sha01.sales2'].map((l) => userOf(t, l)));
    await onDutyOnly(t, 'SHA01', ['sha01.sales1', 'sha01.sales2']);
    // Park the cursor on sales1, so plain round robin would pick sales2 next.
    await t.database.db.execute(
      sql`update routing_cursors set last_user_id = ${s1}::uuid where store_id = ${(await unitOf(t, 'SHA01')).id}::uuid`,
    );
    const phone = newPhone();
    const first = await leadFor(t, admin, { sourceId: sha.id, customer: { name: '回头客', phone } });
    expect(first.ownerUserId).toBe(s2);
    await t.database.db.execute(sql`update leads set stage = 'lost' where id = ${first.leadId}::uuid`); // closed, so the next is a new lead

    const back = await leadFor(t, admin, { sourceId: sha.id, customer: { phone } });
    expect(back.status).toBe('created');
    expect(back.ownerUserId).toBe(s2); // round robin would have given sales1
    expect(await reasonsOf(back.leadId)).toEqual(['returning_customer']);

    await t.database.db.execute(sql`update leads set stage = 'lost' where id = ${back.leadId}::uuid`);
    await t.database.db.execute(sql`insert into user_leave (tenant_id, id, user_id, starts_at, ends_at)
      select tenant_id, gen_random_uuid(), id, now() - interval '1 hour', now() + interval '1 hour' from users where id = ${s2}::uuid`);
    const onLeave = await leadFor(t, admin, { sourceId: sha.id, customer: { phone } });
    expect(onLeave.ownerUserId).toBe(s1);
    await t.database.db.execute(sql`delete from user_leave where user_id = ${s2}::uuid`);
  });
});

describe('rules, claim pool and preview', () => {
  it('a city rule sends a lead to its store’s claim pool; the first claim wins, the second gets 409', async () => {
    const hgh = await unitOf(t, 'HGH01');
    await onDutyOnly(t, 'HGH01', ['hgh01.sales1', 'hgh01.sales2']);
    const rule = await addRule({
      name: '杭州抢单',
      conditions: { cities: ['杭州'] },
      storeId: hgh.id,
      strategy: 'claim_pool',
      claimTimeoutMinutes: 5,
    });
    const r = await leadFor(t, admin, { sourceId: web.id, customer: { phone: newPhone(), city: '杭州市' } });
    expect(r).toMatchObject({ storeId: hgh.id, ownerUserId: null });
    const [row] = await rowsOf<{ claim_until: string; routing_rule_id: string }>(
      t.database.db,
      sql`select claim_until::text, routing_rule_id from leads where id = ${r.leadId}::uuid`,
    );
    expect(row!.routing_rule_id).toBe(rule.id);
    const minutes = (Date.parse(row!.claim_until) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(4);
    expect(minutes).toBeLessThanOrEqual(5);
    expect(await count(t, 'notifications', sql`kind = 'lead.claimable' and link = ${`/leads/${r.leadId}`}`)).toBe(2);

    const [c1, c2, other] = await Promise.all([t.login('hgh01.sales1'), t.login('hgh01.sales2'), t.login('sha01.sales1')]);
    // Pool leads are visible to the store's consultants before anyone owns them; not to other stores.
    expect((await t.app.inject({ method: 'GET', url: `/api/leads/${r.leadId}`, headers: c2.headers() })).statusCode).toBe(200);
    const foreign = await t.app.inject({ method: 'POST', url: `/api/leads/${r.leadId}/claim`, headers: other.headers(true) });
    expect(foreign.statusCode).toBe(404);

    const [a, b] = await Promise.all(
      [c1, c2].map((c) => t.app.inject({ method: 'POST', url: `/api/leads/${r.leadId}/claim`, headers: c.headers(true) })),
    );
    const statuses = [a!.statusCode, b!.statusCode].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a!.statusCode === 409 ? a! : b!;
    expect(loser.json().error.message).toMatch(/faster/);
    const winner = a!.statusCode === 200 ? c1 : c2;
    expect(await ownerOf(r.leadId)).toBe(winner.me.user.id);
    expect(await reasonsOf(r.leadId)).toEqual(['claim_pool', 'claim']);
    expect(
      await count(t, 'tasks', sql`lead_id = ${r.leadId}::uuid and type = 'first_contact' and owner_user_id = ${winner.me.user.id}::uuid`),
    ).toBe(1);
    expect((await removeRule(rule.id)).statusCode).toBe(204);
  });

  it('when nobody claims in time, then the lead goes to the next consultant by round robin', async () => {
    const hgh = await unitOf(t, 'HGH01');
    const rule = await addRule({ name: '杭州抢单2', conditions: { cities: ['杭州'] }, storeId: hgh.id, strategy: 'claim_pool' });
    const r = await leadFor(t, admin, { sourceId: web.id, customer: { phone: newPhone(), city: '杭州' } });
    expect(r.ownerUserId).toBeNull();
    expect(await runClaimTimeouts(t.database)).toBe(0); // not expired yet
    await t.database.db.execute(sql`update leads set claim_until = now() - interval '1 minute' where id = ${r.leadId}::uuid`);
    expect(await runClaimTimeouts(t.database)).toBe(1);
    const owner = await ownerOf(r.leadId);
    expect([await userOf(t, 'hgh01.sales1'), await userOf(t, 'hgh01.sales2')]).toContain(owner);
    expect(await reasonsOf(r.leadId)).toEqual(['claim_pool', 'claim_timeout']);
    expect(await count(t, 'leads', sql`id = ${r.leadId}::uuid and claim_until is null`)).toBe(1);
    expect((await removeRule(rule.id)).statusCode).toBe(204);
  });

  it('preview tells the rule, store and consultant for a lead at a given hour, and writes nothing', async () => {
    const [pek, tsn] = await Promise.all([unitOf(t, 'PEK01'), unitOf(t, 'TSN01')]);
    await onDutyOnly(t, 'PEK01', ['pek01.sales1', 'pek01.sales2']);
    const night = await addRule({
      name: '夜间 → 天津',
      conditions: { provinces: ['北京'], hours: { from: '18:00', to: '09:00' } },
      storeId: tsn.id,
    });
    const day = await addRule({ name: '北京', conditions: { provinces: ['北京'] }, storeId: pek.id });
    // The store has a round-robin position already, which a preview must leave where it is.
    await t.database.db.execute(
      sql`insert into routing_cursors (tenant_id, store_id) select tenant_id, id from org_units where id = ${pek.id}::uuid`,
    );
    const tables = ['leads', 'lead_assignments', 'lead_inquiries', 'routing_cursors', 'profiles', 'identities', 'events', 'tasks'];
    const before = await Promise.all(tables.map((tb) => count(t, tb)));
    const cursors = await rowsOf(t.database.db, sql`select * from routing_cursors order by store_id`);
    const preview = (requestedAt: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/routing-rules/preview',
        headers: admin.headers(true),
        payload: { sourceId: web.id, lead: { customer: { phone: newPhone(), province: '北京市' }, requestedAt } },
      });
    const atNight = await preview('2026-03-02T22:00:00+08:00');
    expect(atNight.statusCode, atNight.body).toBe(200);
    expect(atNight.json()).toMatchObject({ rule: { id: night.id }, store: { id: tsn.id }, storeReason: 'rule' });
    const atDay = await preview('2026-03-02T10:00:00+08:00');
    expect(atDay.json()).toMatchObject({ rule: { id: day.id }, store: { id: pek.id }, reason: 'round_robin', inquiryOn: null });
    expect([await userOf(t, 'pek01.sales1'), await userOf(t, 'pek01.sales2')]).toContain(atDay.json().consultant.id);
    const again = await preview('2026-03-02T10:00:00+08:00');
    expect(again.json().consultant.id).toBe(atDay.json().consultant.id); // the cursor did not move

    expect(await Promise.all(tables.map((tb) => count(t, tb)))).toEqual(before);
    expect(await rowsOf(t.database.db, sql`select * from routing_cursors order by store_id`)).toEqual(cursors);

    // Reordering puts the all-day rule first.
    const list = (await t.app.inject({ method: 'GET', url: '/api/routing-rules', headers: admin.headers() })).json().items as Array<{
      id: string;
    }>;
    const reordered = await t.app.inject({
      method: 'POST',
      url: '/api/routing-rules/reorder',
      headers: admin.headers(true),
      payload: { ids: [day.id, ...list.map((r) => r.id).filter((id) => id !== day.id)] },
    });
    expect(reordered.statusCode).toBe(200);
    expect((await preview('2026-03-02T22:00:00+08:00')).json().rule.id).toBe(day.id);
    const partial = await t.app.inject({
      method: 'POST',
      url: '/api/routing-rules/reorder',
      headers: admin.headers(true),
      payload: { ids: [day.id] },
    });
    expect(partial.statusCode).toBe(400);
    expect(partial.json().error.message).toMatch(/^ids: /);

    const stale = await t.app.inject({
      method: 'PUT',
      url: `/api/routing-rules/${night.id}`,
      headers: admin.headers(true),
      payload: { name: '夜间', conditions: {}, storeId: tsn.id, version: night.version + 1 },
    });
    expect(stale.statusCode).toBe(409);
    const badStore = await t.app.inject({
      method: 'PUT',
      url: `/api/routing-rules/${night.id}`,
      headers: admin.headers(true),
      payload: { name: '夜间', conditions: {}, storeId: (await unitOf(t, 'NORTH')).id, version: night.version },
    });
    expect(badStore.statusCode).toBe(400);
    expect(badStore.json().error.message).toMatch(/^storeId: /);
    for (const id of [night.id, day.id]) expect((await removeRule(id)).statusCode).toBe(204);
    expect(await count(t, 'audit_log', sql`action like 'routing_rule.%'`)).toBeGreaterThanOrEqual(8);
  });
});

describe('assignment by a manager', () => {
  it('when two managers reassign from the same version, then the second gets 409 naming the version', async () => {
    await onDutyOnly(t, 'SHA01', ['sha01.sales1']);
    const r = await leadFor(t, admin, { sourceId: sha.id, customer: { phone: newPhone() } });
    const manager = await t.login('sha01.manager');
    const s2 = await userOf(t, 'sha01.sales2');
    const s3 = await userOf(t, 'sha01.sales3');
    const version = (await t.app.inject({ method: 'GET', url: `/api/leads/${r.leadId}`, headers: manager.headers() })).json()
      .version as number;
    const assign = (userId: string, v: number) =>
      t.app.inject({
        method: 'POST',
        url: `/api/leads/${r.leadId}/assign`,
        headers: manager.headers(true),
        payload: { userId, version: v },
      });
    const ok = await assign(s2, version);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ ownerUserId: s2, version: version + 1 });
    const late = await assign(s3, version);
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toMatch(/^version: .*version/);
    expect(await ownerOf(r.leadId)).toBe(s2);
    expect(await reasonsOf(r.leadId)).toEqual(['round_robin', 'manual']);
    expect(await count(t, 'audit_log', sql`action = 'lead.assigned' and target_id = ${r.leadId}`)).toBe(1);
    expect(await count(t, 'notifications', sql`user_id = ${s2}::uuid and link = ${`/leads/${r.leadId}`}`)).toBe(1);

    const elsewhere = await assign(await userOf(t, 'hgh01.sales1'), version + 1);
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error.message).toMatch(/^userId: /);
    // A store manager of another store cannot see the lead at all.
    const hghManager = await t.login('hgh01.manager');
    const hidden = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${r.leadId}/assign`,
      headers: hghManager.headers(true),
      payload: { userId: await userOf(t, 'hgh01.sales1'), version: version + 1 },
    });
    expect(hidden.statusCode).toBe(404);
  });

  it('bulk reassign moves the leads in scope and skips the rest', async () => {
    await onDutyOnly(t, 'SHA01', ['sha01.sales1']);
    const a = await leadFor(t, admin, { sourceId: sha.id, customer: { phone: newPhone() } });
    const b = await leadFor(t, admin, { sourceId: sha.id, customer: { phone: newPhone() } });
    const foreign = await leadFor(t, admin, { sourceId: nkg.id, customer: { phone: newPhone() } });
    const manager = await t.login('sha01.manager');
    const s3 = await userOf(t, 'sha01.sales3');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/leads/reassign',
      headers: manager.headers(true),
      payload: { leadIds: [a.leadId, b.leadId, foreign.leadId], userId: s3 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().reassigned.sort()).toEqual([a.leadId, b.leadId].sort());
    expect(res.json().skipped).toEqual([{ id: foreign.leadId, reason: 'not found' }]);
    expect(await ownerOf(a.leadId)).toBe(s3);
    expect(await ownerOf(foreign.leadId)).not.toBe(s3);
  });

  it('an unrouted lead waits in the unassigned list for tenant roles and managers, and a manager can take it into the store', async () => {
    const r = await leadFor(t, admin, { sourceId: web.id, customer: { phone: newPhone(), city: '拉萨' } });
    expect(r).toMatchObject({ storeId: null, ownerUserId: null });
    expect(await reasonsOf(r.leadId)).toEqual(['unrouted']);
    const list = await t.app.inject({ method: 'GET', url: '/api/leads?unassigned=true&limit=200', headers: admin.headers() });
    expect(list.json().items.map((i: { id: string }) => i.id)).toContain(r.leadId);
    const consultant = await t.login('sha01.sales1');
    expect((await t.app.inject({ method: 'GET', url: `/api/leads/${r.leadId}`, headers: consultant.headers() })).statusCode).toBe(404);

    const manager = await t.login('sha01.manager');
    const seen = await t.app.inject({ method: 'GET', url: `/api/leads/${r.leadId}`, headers: manager.headers() });
    expect(seen.statusCode).toBe(200);
    const s1 = await userOf(t, 'sha01.sales1');
    const taken = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${r.leadId}/assign`,
      headers: manager.headers(true),
      payload: { userId: s1, version: seen.json().version },
    });
    expect(taken.statusCode, taken.body).toBe(200);
    const [row] = await rowsOf<{ store_id: string }>(t.database.db, sql`select store_id from leads where id = ${r.leadId}::uuid`);
    expect(row!.store_id).toBe((await unitOf(t, 'SHA01')).id);
    expect((await t.app.inject({ method: 'GET', url: `/api/leads/${r.leadId}`, headers: consultant.headers() })).statusCode).toBe(200);
  });

  it('a consultant cannot assign leads or change routing', async () => {
    const consultant = await t.login('sha01.sales1');
    const res = await postLead(t, consultant, { sourceId: sha.id, customer: { phone: newPhone() } });
    expect(res.status).toBe(201);
    const assign = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${res.body.results[0]!.leadId}/assign`,
      headers: consultant.headers(true),
      payload: { userId: consultant.me.user.id, version: 1 },
    });
    expect(assign.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/routing-rules', headers: consultant.headers() })).statusCode).toBe(403);
  });
});
