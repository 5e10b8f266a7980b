import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { systemContext } from '../auth/system-context.js';
import { tenants, orgUnits } from './schema.js';
import { createUser } from './users.js';
import { uuidv7 } from '../../platform/ids.js';

let t: TestApp;
let admin: Session;
let units: { id: string; code: string; type: string; version: number; parentId: string | null }[];
const unit = (code: string) => units.find((u) => u.code === code)!;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  units = (await t.app.inject({ method: 'GET', url: '/api/org/units', headers: admin.headers() })).json().items;
});
afterAll(() => t.stop());

async function usersVisibleTo(s: Session) {
  const logins: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${cursor}` : '';
    const page = (await t.app.inject({ method: 'GET', url: `/api/users?limit=25${q}`, headers: s.headers() })).json();
    logins.push(...page.items.map((u: { login: string }) => u.login));
    cursor = page.nextCursor;
  } while (cursor);
  return logins;
}

describe('demo organisation', () => {
  it('has 3 regions, 2 dealer groups, 12 stores with a team each, and about 80 users', async () => {
    const count = (type: string) => units.filter((u) => u.type === type).length;
    expect([count('region'), count('dealer_group'), count('store')]).toEqual([3, 2, 12]);
    expect(count('team')).toBeGreaterThanOrEqual(12);
    const all = await usersVisibleTo(admin);
    expect(all.length).toBe(81);
    expect(new Set(all).size).toBe(all.length); // cursor pages never repeat or skip
  });
});

describe('data scope', () => {
  it('a store manager sees only their store; a regional manager sees their region; the OEM sees all', async () => {
    const store = await usersVisibleTo(await t.login('sha01.manager'));
    expect(store.every((l) => l.startsWith('sha01.'))).toBe(true);
    expect(store.length).toBe(6);
    const region = await usersVisibleTo(await t.login('east.manager'));
    const prefixes = new Set(region.map((l) => l.split('.')[0]));
    expect([...prefixes].sort()).toEqual(['east', 'hgh01', 'nkg01', 'oriental', 'sha01', 'szv01']);
  });

  it('when a store manager opens another store’s user or unit, then 404, not 403', async () => {
    const manager = await t.login('sha01.manager');
    const other = (await t.app.inject({ method: 'GET', url: '/api/users?q=pek01.manager', headers: admin.headers() })).json().items[0];
    const res = await t.app.inject({ method: 'GET', url: `/api/users/${other.id}`, headers: manager.headers() });
    expect(res.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/org/units/${unit('PEK01').id}`, headers: manager.headers() })).statusCode).toBe(
      404,
    );
    const edit = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${other.id}`,
      headers: manager.headers(true),
      payload: { displayName: 'x', version: other.version },
    });
    expect(edit.statusCode).toBe(404);
  });

  it('a consultant sees their own store’s structure and cannot list users', async () => {
    const c = await t.login('sha01.sales1');
    const visible = (await t.app.inject({ method: 'GET', url: '/api/org/units', headers: c.headers() }))
      .json()
      .items.map((u: { code: string }) => u.code);
    expect(visible.sort()).toEqual(['SHA01', 'SHA01-T1']);
    expect((await t.app.inject({ method: 'GET', url: '/api/users', headers: c.headers() })).statusCode).toBe(403);
  });

  it('another tenant’s records answer 404 even to an OEM admin', async () => {
    const tenantId = uuidv7();
    const hq = uuidv7();
    await t.database.db.insert(tenants).values({ id: tenantId, code: 'rival', name: 'Rival Motors' });
    await t.database.db
      .insert(orgUnits)
      .values({ tenantId, id: hq, path: `/${hq}/`, type: 'hq', code: 'HQ', nameZh: '总部', nameEn: 'HQ' });
    const auth = await systemContext(t.database.db, 'rival');
    const rivalUser = await withTenant(t.database.db, tenantId, (tx) =>
      createUser(
        { tx, auth, keys: t.keys, meta: { ip: null, userAgent: null } },
        { login: 'boss', displayName: 'Rival Boss', role: 'oem_admin', orgUnitId: hq, password: 'RivalPass123' },
      ),
    );
    expect((await t.app.inject({ method: 'GET', url: `/api/users/${rivalUser.id}`, headers: admin.headers() })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/org/units/${hq}`, headers: admin.headers() })).statusCode).toBe(404);
    const rival = await t.login('boss', 'rival', 'RivalPass123');
    const theirUsers = await usersVisibleTo(rival);
    expect(theirUsers).toEqual(['boss']);
  });
});

describe('organisation changes', () => {
  it('creates a store under a region and refuses a store at the top level or under a team', async () => {
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/org/units',
      headers: admin.headers(true),
      payload: {
        parentId: unit('NORTH').id,
        type: 'store',
        code: 'DLC01',
        nameZh: '大连中山店',
        nameEn: 'Dalian Zhongshan',
        province: '辽宁省',
        city: '大连市',
        businessHours: [{ day: 1, open: '09:00', close: '18:00' }],
      },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ code: 'DLC01', timeZone: 'Asia/Shanghai', active: true, version: 1 });
    const top = await t.app.inject({
      method: 'POST',
      url: '/api/org/units',
      headers: admin.headers(true),
      payload: { parentId: null, type: 'store', code: 'X01', nameZh: 'x', nameEn: 'x' },
    });
    expect(top.statusCode).toBe(400);
    expect(top.json().error.message).toMatch(/^parentId: /);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/org/units',
      headers: admin.headers(true),
      payload: { parentId: unit('NORTH').id, type: 'store', code: 'DLC01', nameZh: 'x', nameEn: 'x' },
    });
    expect(dup.statusCode).toBe(409);
    const badHours = await t.app.inject({
      method: 'POST',
      url: '/api/org/units',
      headers: admin.headers(true),
      payload: {
        parentId: unit('NORTH').id,
        type: 'store',
        code: 'Y01',
        nameZh: 'x',
        nameEn: 'x',
        businessHours: [{ day: 1, open: '25:00', close: '18:00' }],
      },
    });
    expect(badHours.statusCode).toBe(400);
    expect(badHours.json().error.message).toMatch(/businessHours/);
  });

  it('moves a store with its team to another region, and refuses a move under its own child', async () => {
    const store = unit('TAO01');
    const team = unit('TAO01-T1');
    const moved = await t.app.inject({
      method: 'POST',
      url: `/api/org/units/${store.id}/move`,
      headers: admin.headers(true),
      payload: { parentId: unit('EAST').id, version: store.version },
    });
    expect(moved.statusCode).toBe(200);
    const east = await usersVisibleTo(await t.login('east.manager'));
    expect(east).toContain('tao01.sales1'); // the team moved with its store
    const loop = await t.app.inject({
      method: 'POST',
      url: `/api/org/units/${unit('EAST').id}/move`,
      headers: admin.headers(true),
      payload: { parentId: team.id, version: unit('EAST').version },
    });
    expect([400, 409]).toContain(loop.statusCode);
  });

  it('when two admins edit the same unit from the same version, the second gets 409 and nothing is overwritten', async () => {
    const u = unit('SJW01');
    const first = await t.app.inject({
      method: 'PATCH',
      url: `/api/org/units/${u.id}`,
      headers: admin.headers(true),
      payload: { nameEn: 'First edit', version: u.version },
    });
    const second = await t.app.inject({
      method: 'PATCH',
      url: `/api/org/units/${u.id}`,
      headers: admin.headers(true),
      payload: { nameEn: 'Second edit', version: u.version },
    });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(409);
    const now = await t.app.inject({ method: 'GET', url: `/api/org/units/${u.id}`, headers: admin.headers() });
    expect(now.json().nameEn).toBe('First edit');
  });

  it('refuses to deactivate a store that still has active users, and deactivates an empty one', async () => {
    const busy = await t.app.inject({
      method: 'POST',
      url: `/api/org/units/${unit('XMN01').id}/deactivate`,
      headers: admin.headers(true),
      payload: { version: unit('XMN01').version },
    });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error.message).toMatch(/active users/);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/org/units',
      headers: admin.headers(true),
      payload: { parentId: unit('SOUTH').id, type: 'store', code: 'EMPTY1', nameZh: '空店', nameEn: 'Empty' },
    });
    const off = await t.app.inject({
      method: 'POST',
      url: `/api/org/units/${created.json().id}/deactivate`,
      headers: admin.headers(true),
      payload: { version: 1 },
    });
    expect(off.statusCode).toBe(200);
    expect(off.json().active).toBe(false);
  });
});

describe('users', () => {
  it('a store manager creates a consultant in their store with an encrypted phone shown masked', async () => {
    const m = await t.login('sha01.manager');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: m.headers(true),
      payload: {
        login: 'sha01.sales9',
        displayName: '新顾问',
        phone: '+86 139-1234-5678',
        role: 'consultant',
        orgUnitId: unit('SHA01-T1').id,
        password: 'Welcome2026x',
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().phoneMasked).toBe('139****5678');
  });

  it('refuses a role above the creator’s own, an invalid phone, a taken login and a role in the wrong kind of unit', async () => {
    const m = await t.login('sha01.manager');
    const base = { displayName: 'x', orgUnitId: unit('SHA01').id, password: 'Welcome2026x' };
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: m.headers(true),
      payload: { ...base, login: 'sha01.boss', role: 'oem_admin' },
    });
    expect(up.statusCode).toBe(403);
    const phone = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: m.headers(true),
      payload: { ...base, login: 'sha01.p', role: 'consultant', phone: '12345' },
    });
    expect(phone.statusCode).toBe(400);
    expect(phone.json().error.message).toMatch(/^phone: /);
    const taken = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: m.headers(true),
      payload: { ...base, login: 'sha01.sales1', role: 'consultant' },
    });
    expect(taken.statusCode).toBe(409);
    const wrongUnit = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin.headers(true),
      payload: { ...base, login: 'reg.x', role: 'regional_manager' },
    });
    expect(wrongUnit.statusCode).toBe(400);
    expect(wrongUnit.json().error.message).toMatch(/^orgUnitId: /);
  });

  it('deactivating a user signs them out and is audited with the role change', async () => {
    const target = await t.login('nkg01.sales2');
    const u = (await t.app.inject({ method: 'GET', url: `/api/users/${target.me.user.id}`, headers: admin.headers() })).json();
    const role = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${u.id}`,
      headers: admin.headers(true),
      payload: { role: 'dcc_agent', version: u.version },
    });
    expect(role.statusCode).toBe(200);
    const off = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${u.id}`,
      headers: admin.headers(true),
      payload: { active: false, version: role.json().version },
    });
    expect(off.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: target.headers() })).statusCode).toBe(401);
    const audit = (await t.app.inject({ method: 'GET', url: `/api/audit?limit=20`, headers: admin.headers() })).json().items;
    const mine = audit
      .filter((a: { targetId: string }) => a.targetId === u.id)
      .map((a: { action: string; details: unknown }) => [a.action, a.details]);
    expect(mine).toContainEqual(['user.role_changed', { from: 'consultant', to: 'dcc_agent' }]);
    expect(mine.map((m: unknown[]) => m[0])).toContain('user.deactivated');
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { tenant: 'demo', login: 'nkg01.sales2', password: 'Forecourt2026' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('the audit log filters by action and exports CSV, and the export is itself audited', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/audit?action=user.created', headers: admin.headers() });
    expect(res.json().items.every((i: { action: string }) => i.action === 'user.created')).toBe(true);
    const csv = await t.app.inject({ method: 'GET', url: '/api/audit/export?action=auth.login', headers: admin.headers() });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n')[0]).toBe('\uFEFFat,actor_id,actor_name,action,target_type,target_id,ip,user_agent,details');
    expect(csv.body).toContain('auth.login');
    const after = await t.app.inject({ method: 'GET', url: '/api/audit?action=audit.exported', headers: admin.headers() });
    expect(after.json().items.length).toBe(1);
  });
});
