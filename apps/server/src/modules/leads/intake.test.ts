import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decrypt } from '../../platform/crypto.js';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { basic, count, createSource, leadFor, newPhone, onDutyOnly, postLead, unitOf, userOf } from './lead-test-helpers.js';

let t: TestApp;
let admin: Session;
let sales1: Session;
let sales2: Session;
let hghSales: Session;
let sha: { id: string; writeKey: string };
let hgh: { id: string; writeKey: string };

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  sales1 = await t.login('sha01.sales1');
  sales2 = await t.login('sha01.sales2');
  hghSales = await t.login('hgh01.sales1');
  sha = await createSource(t, admin, '汽车之家 上海浦东', { storeCode: 'SHA01' });
  hgh = await createSource(t, admin, '懂车帝 杭州滨江', { storeCode: 'HGH01' });
  await onDutyOnly(t, 'SHA01', ['sha01.sales1', 'sha01.sales2']);
  await onDutyOnly(t, 'HGH01', ['hgh01.sales1']);
});
afterAll(() => t.stop());

const lead = (source: string, phone: string, extra: Record<string, unknown> = {}) => ({
  sourceId: source,
  customer: { name: '王伟', phone, city: '上海' },
  vehicle: { brand: '星驰', series: 'S7', model: 'S7 长续航版' },
  campaign: '双十一',
  ...extra,
});

describe('contacts', () => {
  it('when a lead has no contact at all, then 422 naming every field that would do', async () => {
    const res = await postLead(t, admin, { sourceId: sha.id, customer: { name: '无名' } });
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe('UNPROCESSABLE');
    for (const field of ['customer.phone', 'customer.email', 'customer.wechatUnionid', 'customer.wecomExternalUserid'])
      expect(res.body.error?.message).toContain(field);
    expect(await count(t, 'leads')).toBe(0);
  });

  it('when the phone is not a mobile number, then 422 naming customer.phone; an e-mail alone is enough', async () => {
    const bad = await postLead(t, admin, { sourceId: sha.id, customer: { phone: '021-5555 1234' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error?.message).toMatch(/^customer\.phone: /);

    const placeholder = await postLead(t, admin, { sourceId: sha.id, customer: { phone: '13888888888' } });
    expect(placeholder.status).toBe(422);
    expect(placeholder.body.error?.message).toMatch(/^customer\.phone: .*placeholder/);

    const email = await postLead(t, admin, { sourceId: sha.id, customer: { email: 'li.na@fctest.cn' } });
    expect(email.status).toBe(201);
    expect(email.body.results[0]!.status).toBe('created');
  });

  it('when the source is unknown, then 404 naming sourceId', async () => {
    const res = await postLead(t, admin, { sourceId: '01900000-0000-7000-8000-000000000000', customer: { phone: newPhone() } });
    expect(res.status).toBe(404);
    expect(res.body.error?.message).toMatch(/^sourceId: /);
  });
});

describe('a new lead', () => {
  it('resolves the customer to one profile, routes to the source’s store, starts the SLA and shows on the timeline', async () => {
    const phone = newPhone();
    const r = await leadFor(t, admin, lead(sha.id, `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`, { cost: 260 }));
    expect(r.status).toBe('created');
    const store = await unitOf(t, 'SHA01');
    expect(r.storeId).toBe(store.id);
    expect([await userOf(t, 'sha01.sales1'), await userOf(t, 'sha01.sales2')]).toContain(r.ownerUserId);

    const [row] = await rowsOf<{
      profile_id: string;
      cost_fen: number;
      stage: string;
      first_contact_due_at: string | null;
      raw_enc: string;
      store_path: string;
    }>(
      t.database.db,
      sql`select profile_id, cost_fen, stage, first_contact_due_at, raw_enc, store_path from leads where id = ${r.leadId}::uuid`,
    );
    expect(row).toMatchObject({ cost_fen: 26000, stage: 'new', store_path: store.path });
    expect(row!.first_contact_due_at).not.toBeNull();
    // The raw payload is kept, encrypted: the phone is not readable in the column.
    expect(row!.raw_enc).not.toContain(phone);
    expect(decrypt(t.keys, row!.raw_enc)).toContain('王伟');

    const [profile] = await rowsOf<{ name: string; owner_user_id: string; owner_org_unit_id: string; traits: Record<string, unknown> }>(
      t.database.db,
      sql`select name, owner_user_id, owner_org_unit_id, traits from profiles where id = ${row!.profile_id}::uuid`,
    );
    expect(profile).toMatchObject({ name: '王伟', owner_user_id: r.ownerUserId, owner_org_unit_id: store.id });
    expect(profile!.traits).toMatchObject({ city: '上海', vehicle_of_interest: '星驰 S7 S7 长续航版' });
    expect(await count(t, 'identities', sql`profile_id = ${row!.profile_id}::uuid and type = 'phone'`)).toBe(1);
    expect(await count(t, 'profile_units', sql`profile_id = ${row!.profile_id}::uuid and org_unit_id = ${store.id}::uuid`)).toBe(1);

    const timeline = await t.app.inject({ method: 'GET', url: `/api/customers/${row!.profile_id}/timeline`, headers: admin.headers() });
    const created = (timeline.json().items as Array<{ type: string; name: string; properties: Record<string, unknown> }>).find(
      (e) => e.name === 'lead_created',
    );
    expect(created).toMatchObject({ type: 'lead', properties: { leadId: r.leadId, campaign: '双十一', model: 'S7 长续航版' } });
    expect(JSON.stringify(created)).not.toContain(phone);

    expect(await count(t, 'lead_inquiries', sql`lead_id = ${r.leadId}::uuid and created_lead`)).toBe(1);
    expect(await count(t, 'lead_stage_changes', sql`lead_id = ${r.leadId}::uuid and from_stage is null and to_stage = 'new'`)).toBe(1);
    expect(await count(t, 'lead_assignments', sql`lead_id = ${r.leadId}::uuid and reason = 'round_robin'`)).toBe(1);
    expect(
      await count(t, 'tasks', sql`lead_id = ${r.leadId}::uuid and type = 'first_contact' and owner_user_id = ${r.ownerUserId}::uuid`),
    ).toBe(1);
    expect(
      await count(t, 'notifications', sql`user_id = ${r.ownerUserId}::uuid and kind = 'lead.assigned' and link = ${`/leads/${r.leadId}`}`),
    ).toBe(1);
  });

  it('when the lead names no cost, then its campaign’s spend divided by the leads it buys is the cost', async () => {
    const view = await t.app.inject({ method: 'GET', url: '/api/lead-settings', headers: admin.headers() });
    expect(view.json().version).toBe(0);
    const saved = await t.app.inject({
      method: 'PUT',
      url: '/api/lead-settings',
      headers: admin.headers(true),
      payload: { version: 0, settings: { ...view.json().settings, campaignSpend: { 抖音直播: { spendYuan: 50_000, leads: 200 } } } },
    });
    expect(saved.statusCode).toBe(200);
    const r = await leadFor(t, admin, lead(sha.id, newPhone(), { campaign: '抖音直播' }));
    const [row] = await rowsOf<{ cost_fen: number }>(t.database.db, sql`select cost_fen from leads where id = ${r.leadId}::uuid`);
    expect(row!.cost_fen).toBe(25_000);

    const stale = await t.app.inject({
      method: 'PUT',
      url: '/api/lead-settings',
      headers: admin.headers(true),
      payload: { version: 0, settings: view.json().settings },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toMatch(/^version: /);
    expect(await count(t, 'audit_log', sql`action = 'leads.settings_changed'`)).toBe(1);
  });
});

describe('duplicates', () => {
  it('when the same source sends the same external id twice, then the second is the first lead and nothing new is written', async () => {
    const phone = newPhone();
    const first = await leadFor(t, admin, lead(sha.id, phone, { externalId: 'AH-1001' }));
    const before = { leads: await count(t, 'leads'), inquiries: await count(t, 'lead_inquiries'), events: await count(t, 'events') };
    const again = await postLead(t, admin, lead(sha.id, phone, { externalId: 'AH-1001' }));
    expect(again.status).toBe(200);
    expect(again.body.results[0]).toMatchObject({ leadId: first.leadId, status: 'duplicate', ownerUserId: first.ownerUserId });
    expect({ leads: await count(t, 'leads'), inquiries: await count(t, 'lead_inquiries'), events: await count(t, 'events') }).toEqual(
      before,
    );
    // The same id from another source is another arrival.
    const other = await postLead(t, admin, lead(hgh.id, newPhone(), { externalId: 'AH-1001' }));
    expect(other.body.results[0]!.status).toBe('created');
  });

  it('when the customer asks again at the same store within the window, then it is an inquiry on the open lead', async () => {
    const phone = newPhone();
    const first = await leadFor(t, admin, lead(sha.id, phone, { externalId: 'AH-2001' }));
    const again = await postLead(t, admin, lead(sha.id, phone, { externalId: 'AH-2002', vehicle: { series: 'S9' } }));
    expect(again.status).toBe(200);
    expect(again.body.results[0]).toMatchObject({ leadId: first.leadId, status: 'inquiry' });
    const [row] = await rowsOf<{ inquiry_count: number; profile_id: string }>(
      t.database.db,
      sql`select inquiry_count, profile_id from leads where id = ${first.leadId}::uuid`,
    );
    expect(row!.inquiry_count).toBe(2);
    expect(await count(t, 'lead_inquiries', sql`lead_id = ${first.leadId}::uuid`)).toBe(2);
    expect(await count(t, 'lead_inquiries', sql`lead_id = ${first.leadId}::uuid and created_lead`)).toBe(1);
    expect(await count(t, 'events', sql`profile_id = ${row!.profile_id}::uuid and name = 'lead_inquiry'`)).toBe(1);
    expect(await count(t, 'leads', sql`profile_id = ${row!.profile_id}::uuid`)).toBe(1);
  });

  it('when the same customer asks at another store, then by default it is a separate lead there; merge_into_open joins it', async () => {
    const phone = newPhone();
    const atSha = await leadFor(t, admin, lead(sha.id, phone));
    const atHgh = await leadFor(t, admin, lead(hgh.id, phone));
    expect(atHgh.status).toBe('created');
    expect(atHgh.leadId).not.toBe(atSha.leadId);
    expect(atHgh.storeId).toBe((await unitOf(t, 'HGH01')).id);
    const profiles = await rowsOf<{ profile_id: string }>(
      t.database.db,
      sql`select distinct profile_id from leads where id in (${atSha.leadId}::uuid, ${atHgh.leadId}::uuid)`,
    );
    expect(profiles).toHaveLength(1); // one customer, two stores' leads

    const view = (await t.app.inject({ method: 'GET', url: '/api/lead-settings', headers: admin.headers() })).json();
    const saved = await t.app.inject({
      method: 'PUT',
      url: '/api/lead-settings',
      headers: admin.headers(true),
      payload: { version: view.version, settings: { ...view.settings, crossStore: 'merge_into_open' } },
    });
    expect(saved.statusCode).toBe(200);
    const third = await postLead(t, admin, lead(hgh.id, phone));
    expect(third.body.results[0]).toMatchObject({ status: 'inquiry', leadId: atHgh.leadId });
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/lead-settings',
      headers: admin.headers(true),
      payload: { version: saved.json().version, settings: { ...view.settings, crossStore: 'separate' } },
    });
    expect(put.statusCode).toBe(200);
  });
});

describe('reading leads', () => {
  it('when a consultant of another store opens a lead, then 404; its owner sees it with the phone masked', async () => {
    await onDutyOnly(t, 'SHA01', ['sha01.sales1']);
    const phone = newPhone();
    const r = await leadFor(t, admin, lead(sha.id, phone));
    expect(r.ownerUserId).toBe(await userOf(t, 'sha01.sales1'));

    const foreign = await t.app.inject({ method: 'GET', url: `/api/leads/${r.leadId}`, headers: hghSales.headers() });
    expect(foreign.statusCode).toBe(404);
    // Another consultant of the same store does not own it either.
    expect((await t.app.inject({ method: 'GET', url: `/api/leads/${r.leadId}`, headers: sales2.headers() })).statusCode).toBe(404);

    const own = await t.app.inject({ method: 'GET', url: `/api/leads/${r.leadId}`, headers: sales1.headers() });
    expect(own.statusCode).toBe(200);
    const detail = own.json();
    expect(detail.customer.phoneMasked).toBe(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    expect(own.body).not.toContain(phone);
    expect(detail.assignments).toEqual([expect.objectContaining({ reason: 'round_robin', userId: r.ownerUserId })]);
    expect(detail.inquiries).toHaveLength(1);
    expect(detail.stageChanges).toEqual([expect.objectContaining({ fromStage: null, toStage: 'new' })]);

    const mine = await t.app.inject({ method: 'GET', url: '/api/leads?limit=200', headers: sales1.headers() });
    const ids = (mine.json().items as Array<{ id: string; ownerUserId: string }>).map((i) => i.ownerUserId);
    expect(new Set(ids)).toEqual(new Set([r.ownerUserId]));
    const theirs = await t.app.inject({ method: 'GET', url: '/api/leads', headers: hghSales.headers() });
    expect((theirs.json().items as Array<{ id: string }>).map((i) => i.id)).not.toContain(r.leadId);
    await onDutyOnly(t, 'SHA01', ['sha01.sales1', 'sha01.sales2']);
  });

  it('filters and pages: store, sla state, customer name, soonest deadline first', async () => {
    await leadFor(t, admin, lead(hgh.id, newPhone(), { customer: { name: '欧阳娜娜', phone: newPhone() } }));
    const byName = await t.app.inject({ method: 'GET', url: `/api/leads?q=${encodeURIComponent('欧阳')}`, headers: admin.headers() });
    expect(byName.json().items.map((i: { customerName: string }) => i.customerName)).toEqual(['欧阳娜娜']);

    const hghStore = await unitOf(t, 'HGH01');
    const byStore = await t.app.inject({ method: 'GET', url: `/api/leads?store=${hghStore.id}&limit=200`, headers: admin.headers() });
    const stores = new Set((byStore.json().items as Array<{ storeId: string }>).map((i) => i.storeId));
    expect(stores).toEqual(new Set([hghStore.id]));

    const page1 = await t.app.inject({ method: 'GET', url: '/api/leads?limit=2&sort=due&sla=pending', headers: admin.headers() });
    const first = page1.json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const page2 = await t.app.inject({
      method: 'GET',
      url: `/api/leads?limit=2&sort=due&sla=pending&cursor=${first.nextCursor}`,
      headers: admin.headers(),
    });
    const due = [...first.items, ...page2.json().items].map((i: { firstContactDueAt: string }) => i.firstContactDueAt);
    expect(due).toEqual([...due].sort());
    expect(new Set([...first.items, ...page2.json().items].map((i: { id: string }) => i.id)).size).toBe(due.length);
  });

  it('a saved view of the lead list keeps only filters the list understands', async () => {
    const save = (filters: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/saved-views',
        headers: sales1.headers(true),
        payload: { page: 'leads', name: '待联系', filters },
      });
    const ok = await save({ sla: 'pending', unassigned: 'false', sort: 'due' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().filters).toEqual({ sla: 'pending', unassigned: false, sort: 'due' });
    const bad = await save({ stage: 'bogus' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^filters\.stage: /);
  });
});

describe('sender endpoints (write key)', () => {
  const send = (url: string, writeKey: string | null, payload: string, contentType: string) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...(writeKey ? { authorization: basic(writeKey) } : {}), 'content-type': contentType },
      payload,
    });

  it('takes a LeadInput or a list of them; an unknown key is 401; per-lead problems are listed', async () => {
    const noKey = await send('/v1/leads', null, JSON.stringify({ customer: { phone: newPhone() } }), 'application/json');
    expect(noKey.statusCode).toBe(401);
    const wrong = await send('/v1/leads', 'fcw_nope', JSON.stringify({ customer: { phone: newPhone() } }), 'application/json');
    expect(wrong.statusCode).toBe(401);

    const one = await send(
      '/v1/leads',
      sha.writeKey,
      JSON.stringify({ externalId: 'J-1', customer: { phone: newPhone() } }),
      'application/json',
    );
    expect(one.statusCode).toBe(200);
    expect(one.json().results[0]).toMatchObject({ index: 0, status: 'created' });

    const many = await send(
      '/v1/leads',
      sha.writeKey,
      JSON.stringify({ leads: [{ customer: { phone: newPhone() } }, { customer: { name: '没有电话' } }, { customer: 'oops' }] }),
      'application/json',
    );
    expect(many.statusCode).toBe(200);
    const body = many.json();
    expect(body.results).toEqual([expect.objectContaining({ index: 0, status: 'created' })]);
    expect(body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, path: 'customer' }),
        expect.objectContaining({ index: 2, path: 'customer' }),
      ]),
    );

    const none = await send('/v1/leads', sha.writeKey, JSON.stringify({ customer: { name: '没有电话' } }), 'application/json');
    expect(none.statusCode).toBe(422);
  });

  it('reads an ADF document with several prospects; garbage is 400 with a sentence', async () => {
    const p1 = newPhone();
    const p2 = newPhone();
    const adf = `<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf>
  <prospect status="new">
    <id sequence="1" source="autohome">AH-9001</id>
    <requestdate>2026-11-24T10:00:00+08:00</requestdate>
    <vehicle interest="buy" status="new"><make>星驰</make><model>S7</model></vehicle>
    <customer><contact><name part="last">李</name><name part="first">娜</name><phone type="cellphone">${p1}</phone></contact></customer>
    <provider><name>汽车之家</name><service>询底价</service></provider>
  </prospect>
  <prospect status="new">
    <id sequence="2" source="autohome">AH-9002</id>
    <customer><contact><name part="full">赵磊</name><phone>${p2}</phone></contact></customer>
  </prospect>
  <prospect status="new">
    <id sequence="3" source="autohome">AH-9003</id>
    <customer><contact><name part="full">无联系方式</name></contact></customer>
  </prospect>
</adf>`;
    const res = await send('/v1/leads/adf', hgh.writeKey, adf, 'application/x-adf+xml');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.results.map((r: { index: number; status: string }) => [r.index, r.status])).toEqual([
      [0, 'created'],
      [1, 'created'],
    ]);
    expect(body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ index: 2, path: 'customer' })]));
    const [row] = await rowsOf<{ intake: string; customer_name: string; campaign: string }>(
      t.database.db,
      sql`select intake, customer_name, campaign from leads where id = ${body.results[0].leadId}::uuid`,
    );
    expect(row).toMatchObject({ intake: 'adf', customer_name: '李娜' });

    // The same document again: every prospect is a duplicate.
    const again = await send('/v1/leads/adf', hgh.writeKey, adf, 'application/x-adf+xml');
    expect(again.json().results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);

    const garbage = await send('/v1/leads/adf', hgh.writeKey, 'not xml at all', 'application/xml');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().error.message).toMatch(/^body: no ADF prospect could be read/);
    const json = await send('/v1/leads/adf', hgh.writeKey, '{}', 'application/json');
    expect(json.statusCode).toBe(400);
    expect(json.json().error.message).toMatch(/^content-type: /);
  });

  it('finds the ADF inside a raw e-mail', async () => {
    const phone = newPhone();
    const mail = [
      'From: "易车网" <leads@yiche.example>',
      'To: sha01@dealer.example',
      'Subject: =?UTF-8?B?5paw57q/57Si?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      '请查收新线索。',
      '--b1',
      'Content-Type: application/x-adf+xml; name="lead.xml"',
      'Content-Disposition: attachment; filename="lead.xml"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(
        `<adf><prospect><id source="yiche">YC-1</id><customer><contact><name part="full">周杰</name><phone>${phone}</phone></contact></customer></prospect></adf>`,
      ).toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    const res = await send('/v1/leads/email', sha.writeKey, mail, 'message/rfc822');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results).toEqual([expect.objectContaining({ status: 'created' })]);
    const [row] = await rowsOf<{ intake: string }>(
      t.database.db,
      sql`select intake from leads where id = ${res.json().results[0].leadId}::uuid`,
    );
    expect(row!.intake).toBe('email');

    const noAdf = await send('/v1/leads/email', sha.writeKey, 'Subject: hi\r\n\r\nnothing here', 'message/rfc822');
    expect(noAdf.statusCode).toBe(400);
    expect(noAdf.json().error.message).toMatch(/^body: no ADF document found/);
  });

  it('maps a lead platform’s own JSON with the source’s field mapping', async () => {
    const src = await createSource(t, admin, '易车 JSON', { storeCode: 'HGH01' });
    await t.database.db.execute(
      sql`update sources set settings = ${JSON.stringify({
        leadMapping: {
          records: 'data.list',
          fields: { externalId: 'clue_id', 'customer.name': 'user.name', 'customer.phone': 'user.mobile', 'vehicle.series': 'car.series' },
        },
      })}::jsonb where id = ${src.id}::uuid`,
    );
    const phone = newPhone();
    const res = await send(
      '/v1/leads',
      src.writeKey,
      JSON.stringify({ code: 0, data: { list: [{ clue_id: 77, user: { name: '孙丽', mobile: phone }, car: { series: 'S7' } }] } }),
      'application/json',
    );
    expect(res.statusCode, res.body).toBe(200);
    const [row] = await rowsOf<{ intake: string; series: string; customer_name: string }>(
      t.database.db,
      sql`select intake, series, customer_name from leads where id = ${res.json().results[0].leadId}::uuid`,
    );
    expect(row).toMatchObject({ intake: 'mapped_json', series: 'S7', customer_name: '孙丽' });
  });
});

describe('console walk-ins', () => {
  it('when a consultant enters a walk-in without a source, then it goes under their store’s walk-in source', async () => {
    const res = await postLead(t, sales1, { intake: 'walk_in', customer: { name: '到店客户', phone: newPhone() } });
    expect(res.status).toBe(201);
    const [row] = await rowsOf<{ intake: string; store_id: string; source_name: string; source_unit: string }>(
      t.database.db,
      sql`select l.intake, l.store_id, s.name as source_name, s.org_unit_id as source_unit from leads l join sources s on s.id = l.source_id
          where l.id = ${res.body.results[0]!.leadId}::uuid`,
    );
    const store = await unitOf(t, 'SHA01');
    expect(row).toMatchObject({ intake: 'walk_in', store_id: store.id, source_unit: store.id });
    // The consultant at the counter owns the walk-in, whoever round robin would have picked.
    expect(res.body.results[0]!.ownerUserId).toBe(sales1.me.user.id);
    expect(await count(t, 'lead_assignments', sql`lead_id = ${res.body.results[0]!.leadId}::uuid and reason = 'entered'`)).toBe(1);
    const second = await postLead(t, sales2, { intake: 'walk_in', customer: { phone: newPhone() } });
    expect(second.status).toBe(201);
    expect(second.body.results[0]!.ownerUserId).toBe(sales2.me.user.id);
    expect(await count(t, 'sources', sql`settings->>'code' = 'walk_in'`)).toBe(1);

    const api = await postLead(t, admin, { customer: { phone: newPhone() } });
    expect(api.status).toBe(400);
    expect(api.body.error?.message).toMatch(/^sourceId: /);
  });
});
