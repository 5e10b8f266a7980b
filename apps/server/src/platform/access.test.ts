import { Permission, ROLE_MATRIX, Role } from '@forecourt/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from './http.js';
import { startTestApp, type Session, type TestApp } from '../test/harness.js';

/** A demo login for every role. */
const LOGIN_OF: Record<Role, string> = {
  platform_admin: 'platform',
  oem_admin: 'admin',
  regional_manager: 'east.manager',
  group_admin: 'oriental.admin',
  store_manager: 'sha01.manager',
  consultant: 'sha01.sales1',
  dcc_agent: 'sha01.dcc',
  service_advisor: 'sha01.service',
  analyst: 'analyst',
};

const FAKE_ID = '01900000-0000-7000-8000-000000000000';
const concrete = (url: string) => url.replace(/:id\b/g, FAKE_ID);

let t: TestApp;
const sessions = new Map<Role, Session>();
beforeAll(async () => {
  t = await startTestApp();
  for (const role of Role.options) sessions.set(role, await t.login(LOGIN_OF[role]));
});
afterAll(() => t.stop());

describe('route declarations', () => {
  it('every registered route declares a permission and a data scope', () => {
    expect(t.routes.length).toBeGreaterThan(20);
    for (const r of t.routes) {
      expect(r.access, `${r.method} ${r.url}`).toBeDefined();
      const allowed = ['public', 'authenticated', 'write_key', ...Permission.options];
      expect(allowed, `${r.method} ${r.url}`).toContain(r.access.permission);
    }
  });

  it('when a route is registered without a declaration, the app refuses to start', async () => {
    await expect(
      createHttpApp({
        config: t.app.initialConfig as never,
        logger: t.logger,
        database: t.database,
        keys: t.keys,
        ready: async () => true,
        authenticate: { session: async () => null, apiKey: async () => null, csrfToken: () => '' },
        registerRoutes: (app) => {
          app.get('/api/forgotten', async () => ({ ok: true }));
        },
      }),
    ).rejects.toThrow(/GET \/api\/forgotten declares no access/);
  });
});

describe('every protected route', () => {
  it('answers 401 without a session', async () => {
    const protectedRoutes = t.routes.filter((r) => r.access.permission !== 'public');
    expect(protectedRoutes.length).toBeGreaterThan(15);
    for (const r of protectedRoutes) {
      const res = await t.app.inject({ method: r.method as 'GET', url: concrete(r.url), payload: r.method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 403 exactly for the roles the matrix leaves out, for every role and route', async () => {
    const permissioned = t.routes.filter(
      (r): r is typeof r & { access: { permission: Permission } } => Permission.safeParse(r.access.permission).success,
    );
    let checked = 0;
    for (const role of Role.options) {
      const s = sessions.get(role)!;
      for (const r of permissioned) {
        const write = r.method !== 'GET';
        // An empty body: a permitted caller gets past the permission check and fails validation or lookup instead.
        const res = await t.app.inject({
          method: r.method as 'GET',
          url: concrete(r.url),
          headers: s.headers(write),
          payload: write ? {} : undefined,
        });
        const allowed = ROLE_MATRIX[role].permissions.includes(r.access.permission);
        if (allowed) expect(res.statusCode, `${role} ${r.method} ${r.url}`).not.toBe(403);
        else {
          expect(res.statusCode, `${role} ${r.method} ${r.url}`).toBe(403);
          expect(res.json().error.message).toContain(r.access.permission);
        }
        checked += 1;
      }
    }
    expect(checked).toBe(Role.options.length * permissioned.length);
  });

  it('when a write arrives without the CSRF header, then 403 CSRF_FAILED', async () => {
    const s = sessions.get('oem_admin')!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: { cookie: s.cookie },
      payload: { name: 'x', scopes: ['org.read'] },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_FAILED');
  });
});

describe('API conventions', () => {
  it('malformed JSON gets a 400 that names the body, never a 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"tenant": "demo",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('a wrong type names the field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { tenant: 'demo', login: 42, password: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^body\.login: /);
    expect(res.json().error.details[0].path).toBe('body.login');
  });

  it('an oversized body gets 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { tenant: 'demo', login: 'a', password: 'x'.repeat(1_100_000) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an unknown API path is a JSON 404 and every answer carries a request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    expect(res.headers['x-request-id']).toBe(res.json().requestId);
  });

  it('serves the OpenAPI document, health, readiness and Prometheus metrics', async () => {
    const doc = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toContain('/api/users');
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('forecourt_http_request_duration_seconds');
  });
});
