import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';

let t: TestApp;
let admin: Session;
let manager: Session;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  manager = await t.login('sha01.manager');
});
afterAll(() => t.stop());

const save = (who: Session, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/api/saved-views', headers: who.headers(true), payload });
const list = (who: Session) => t.app.inject({ method: 'GET', url: '/api/saved-views?page=customers', headers: who.headers() });

describe('saved views', () => {
  it('saves, lists and deletes a user’s own views; names are unique per page', async () => {
    const created = await save(admin, { page: 'customers', name: '上海潜客', filters: { stage: 'prospect', city: '上海', q: '' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ page: 'customers', name: '上海潜客', filters: { stage: 'prospect', city: '上海' } });
    expect(created.json().filters).not.toHaveProperty('q');

    const again = await save(admin, { page: 'customers', name: '上海潜客', filters: { stage: 'lead' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('上海潜客');

    expect((await list(admin)).json().items.map((v: { name: string }) => v.name)).toEqual(['上海潜客']);
    // Another user sees only their own views and cannot delete someone else's.
    expect((await list(manager)).json().items).toEqual([]);
    const foreign = await t.app.inject({ method: 'DELETE', url: `/api/saved-views/${created.json().id}`, headers: manager.headers(true) });
    expect(foreign.statusCode).toBe(404);

    const del = await t.app.inject({ method: 'DELETE', url: `/api/saved-views/${created.json().id}`, headers: admin.headers(true) });
    expect(del.statusCode).toBe(204);
    expect((await list(admin)).json().items).toEqual([]);
  });

  it('rejects filters the page does not understand, naming the field', async () => {
    const badStage = await save(admin, { page: 'customers', name: 'x', filters: { stage: 'bogus' } });
    expect(badStage.statusCode).toBe(400);
    expect(badStage.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(badStage.json().error.message).toMatch(/^filters\.stage: /);

    const badDays = await save(admin, { page: 'customers', name: 'x', filters: { seenWithinDays: 0 } });
    expect(badDays.statusCode).toBe(400);
    expect(badDays.json().error.message).toMatch(/^filters\.seenWithinDays: /);

    const empty = await save(admin, { page: 'customers', name: 'x', filters: {} });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toMatch(/^filters: /);

    const page = await save(admin, { page: 'nowhere', name: 'x', filters: { stage: 'lead' } });
    expect(page.statusCode).toBe(400);
    const noName = await save(admin, { page: 'customers', name: '  ', filters: { stage: 'lead' } });
    expect(noName.statusCode).toBe(400);
  });
});

describe('customer list filters', () => {
  it('filters by store (owned or linked there) and by last seen', async () => {
    const src = await t.app.inject({
      method: 'POST',
      url: '/api/sources',
      headers: admin.headers(true),
      payload: { name: 'CRM', kind: 'dms' },
    });
    const writeKey = src.json().writeKey as string;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      payload: {
        batch: [
          { type: 'identify', userId: 'f-1', traits: { name: '李娜', phone: '13611112222' } },
          { type: 'identify', userId: 'f-2', traits: { name: '赵磊', phone: '13633334444' } },
        ],
      },
    });
    expect(res.json().accepted).toBe(2);
    await t.pipeline.drain();

    const find = async (q: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/customers?q=${q}`, headers: admin.headers() })).json().items[0] as {
        id: string;
      };
    const li = await find('13611112222');
    const zhao = await find('13633334444');
    const [sales] = await rowsOf<{ id: string; org_unit_id: string }>(
      t.database.db,
      sql`select id, org_unit_id from users where login = 'sha01.sales1'`,
    );
    const detail = (await t.app.inject({ method: 'GET', url: `/api/customers/${li.id}`, headers: admin.headers() })).json();
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/customers/${li.id}`,
      headers: admin.headers(true),
      payload: { version: detail.version, ownerUserId: sales!.id },
    });
    expect(patch.statusCode).toBe(200);

    const ids = async (query: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/customers?${query}`, headers: admin.headers() }))
        .json()
        .items.map((c: { id: string }) => c.id);
    expect(await ids(`store=${sales!.org_unit_id}`)).toEqual([li.id]);
    const [other] = await rowsOf<{ id: string }>(t.database.db, sql`select id from org_units where code = 'HGH01'`);
    expect(await ids(`store=${other!.id}`)).toEqual([]);

    await t.database.db.execute(sql`update profiles set last_seen_at = now() - interval '40 days' where id = ${zhao.id}::uuid`);
    const recent = await ids('seenWithinDays=30');
    expect(recent).toContain(li.id);
    expect(recent).not.toContain(zhao.id);
    expect(await ids('seenWithinDays=60')).toContain(zhao.id);

    const bad = await t.app.inject({ method: 'GET', url: '/api/customers?store=not-a-uuid', headers: admin.headers() });
    expect(bad.statusCode).toBe(400);
  });
});
