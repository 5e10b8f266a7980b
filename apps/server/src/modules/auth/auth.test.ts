import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurePasswordHashing } from '../../platform/crypto.js';
import { secretOf, startTestApp, type TestApp } from '../../test/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const loginAs = (login: string, password: string, tenant = 'demo') =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { tenant, login, password }, headers: { 'user-agent': 'vitest-agent' } });

const auditActions = async (targetLogin?: string) => {
  const admin = await t.login('admin');
  const res = await t.app.inject({ method: 'GET', url: '/api/audit?limit=200', headers: admin.headers() });
  const items = res.json().items as {
    action: string;
    details: Record<string, unknown>;
    ip: string | null;
    userAgent: string | null;
    actorName: string | null;
  }[];
  return targetLogin ? items.filter((i) => i.details.login === targetLogin || i.actorName !== null) : items;
};

describe('password login', () => {
  it('sets an httpOnly SameSite=Lax session cookie and returns who I am with a CSRF token', async () => {
    const res = await loginAs('sha01.manager', 'Forecourt2026');
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'fc_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(res.json().user.role).toBe('store_manager');
    expect(res.json().csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('a wrong password, an unknown login and an unknown tenant all get the same 401', async () => {
    for (const [login, tenant] of [
      ['sha01.sales2', 'demo'],
      ['nobody', 'demo'],
      ['admin', 'no-such-tenant'],
    ] as const) {
      const res = await loginAs(login, 'WrongPassword1', tenant);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Tenant, login or password is wrong.' });
    }
  });

  it('after 5 failures the account is locked for 15 minutes, even for the right password, and it is audited', async () => {
    for (let i = 1; i <= 4; i += 1) expect((await loginAs('pek01.sales1', 'WrongPassword1')).statusCode).toBe(401);
    const fifth = await loginAs('pek01.sales1', 'WrongPassword1');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json().error.message).toMatch(/locked for 15 more minute/);
    expect((await loginAs('pek01.sales1', 'Forecourt2026')).statusCode).toBe(423);

    const items = await auditActions();
    const failed = items.filter((i) => i.action === 'auth.login_failed');
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed[0]!.ip).toBeTruthy();
    expect(failed[0]!.userAgent).toBe('vitest-agent');
    expect(items.some((i) => i.action === 'auth.locked')).toBe(true);

    // An admin reset unlocks.
    const admin = await t.login('admin');
    const list = await t.app.inject({ method: 'GET', url: '/api/users?q=pek01.sales1', headers: admin.headers() });
    const id = list.json().items[0].id;
    const reset = await t.app.inject({
      method: 'POST',
      url: `/api/users/${id}/reset-password`,
      headers: admin.headers(true),
      payload: { password: 'NewPassw0rd99' },
    });
    expect(reset.statusCode).toBe(204);
    expect((await loginAs('pek01.sales1', 'NewPassw0rd99')).statusCode).toBe(200);
  });

  it('when the configured hash cost changes, a password hash is upgraded at the next successful login', async () => {
    const hashOf = async () =>
      (await t.database.raw.query<{ password_hash: string }>(`select password_hash from users where login = 'xmn01.sales1'`)).rows[0]!
        .password_hash;
    expect((await hashOf()).split('$')[1]).toBe(String(2 ** 14));
    configurePasswordHashing(13);
    try {
      expect((await loginAs('xmn01.sales1', 'Forecourt2026')).statusCode).toBe(200);
      expect((await hashOf()).split('$')[1]).toBe(String(2 ** 13));
      expect((await loginAs('xmn01.sales1', 'Forecourt2026')).statusCode).toBe(200); // the new hash verifies
    } finally {
      configurePasswordHashing(14);
    }
  });

  it('logout ends the session', async () => {
    const s = await t.login('sha01.sales1');
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s.headers(true) });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: s.headers() })).statusCode).toBe(401);
  });

  it('an idle session and a session past its absolute expiry are refused', async () => {
    const idle = await t.login('sha01.sales2');
    const old = await t.login('sha01.sales3');
    await t.database.db.execute(sql`update sessions set last_seen_at = now() - interval '3 hours' where user_id = ${idle.me.user.id}`);
    await t.database.db.execute(sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${old.me.user.id}`);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: idle.headers() })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: old.headers() })).statusCode).toBe(401);
  });

  it('changing my password enforces the rules and signs out my other sessions but not this one', async () => {
    const a = await t.login('hgh01.sales1');
    const b = await t.login('hgh01.sales1');
    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: a.headers(true),
      payload: { currentPassword: 'Forecourt2026', newPassword: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.message).toMatch(/newPassword/);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: a.headers(true),
      payload: { currentPassword: 'nope', newPassword: 'Another1Pass' },
    });
    expect(wrong.statusCode).toBe(400);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/me/password',
      headers: a.headers(true),
      payload: { currentPassword: 'Forecourt2026', newPassword: 'Another1Pass' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: a.headers() })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: b.headers() })).statusCode).toBe(401);
  });

  it('my language choice is remembered on the server', async () => {
    const s = await t.login('can01.sales1');
    const res = await t.app.inject({ method: 'PATCH', url: '/api/me', headers: s.headers(true), payload: { locale: 'en' } });
    expect(res.json().user.locale).toBe('en');
    expect((await t.login('can01.sales1')).me).toMatchObject({ user: { locale: 'en' } });
  });
});

describe('API keys', () => {
  it('are shown once, stored hashed, work as Bearer tokens within their scopes, and stop working when revoked', async () => {
    const admin = await t.login('admin');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: admin.headers(true),
      payload: { name: 'DMS sync', scopes: ['org.read'] },
    });
    expect(created.statusCode).toBe(201);
    const { key, prefix, id } = created.json();
    expect(key.startsWith(`${prefix}_`)).toBe(true);

    const listed = await t.app.inject({ method: 'GET', url: '/api/api-keys', headers: admin.headers() });
    expect(JSON.stringify(listed.json())).not.toContain(secretOf(key));
    const stored = await t.database.raw.query<{ secret_hash: string }>('select secret_hash from api_keys where prefix = $1', [prefix]);
    expect(stored.rows[0]!.secret_hash).not.toContain(secretOf(key));

    const bearer = { authorization: `Bearer ${key}` };
    const units = await t.app.inject({ method: 'GET', url: '/api/org/units', headers: bearer });
    expect(units.statusCode).toBe(200);
    expect(units.json().items.length).toBeGreaterThan(20);
    expect((await t.app.inject({ method: 'GET', url: '/api/users', headers: bearer })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer })).statusCode).toBe(403);
    const after = await t.app.inject({ method: 'GET', url: '/api/api-keys', headers: admin.headers() });
    expect(after.json().items.find((k: { id: string }) => k.id === id).lastUsedAt).not.toBeNull();

    expect((await t.app.inject({ method: 'POST', url: `/api/api-keys/${id}/revoke`, headers: admin.headers(true) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/org/units', headers: bearer })).statusCode).toBe(401);
    const actions = (await auditActions()).map((i) => i.action);
    expect(actions).toContain('api_key.created');
    expect(actions).toContain('api_key.revoked');
  });

  it('an expired key and a made-up key are refused', async () => {
    const admin = await t.login('admin');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: admin.headers(true),
      payload: { name: 'short-lived', scopes: ['org.read'] },
    });
    await t.database.db.execute(sql`update api_keys set expires_at = now() - interval '1 minute' where id = ${created.json().id}`);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/org/units', headers: { authorization: `Bearer ${created.json().key}` } })).statusCode,
    ).toBe(401);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/org/units',
          headers: { authorization: 'Bearer fc_aaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbb' },
        })
      ).statusCode,
    ).toBe(401);
  });
});
