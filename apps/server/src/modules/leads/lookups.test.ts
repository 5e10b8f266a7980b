import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { leadFixture, type LeadFixture } from '../../test/lifecycle-leads.js';
import { unitOf } from './lead-test-helpers.js';

let t: TestApp;
let f: LeadFixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await leadFixture(t);
});
afterAll(async () => t.stop());

describe('sales console lookups', () => {
  it('team load counts open, new and breached leads per consultant of the store, in the database; another store’s manager gets 404', async () => {
    await f.makeLead({ owner: 'sha01.sales2', stage: 'new' });
    await f.makeLead({ owner: 'sha01.sales2', stage: 'contacted' });
    await f.makeLead({ owner: 'sha01.sales2', stage: 'lost' });
    await f.makeLead({ owner: 'sha01.sales3', stage: 'test_drive' });
    const store = await unitOf(t, 'SHA01');
    const manager = await t.login('sha01.manager');
    const res = await t.app.inject({ method: 'GET', url: `/api/leads/team-load?store=${store.id}`, headers: manager.headers() });
    expect(res.statusCode, res.body).toBe(200);
    const rows = res.json().items as { userId: string; openLeads: number; newLeads: number }[];
    expect(rows.find((r) => r.userId === f.userId('sha01.sales2'))).toMatchObject({ openLeads: 2, newLeads: 1 });
    expect(rows.find((r) => r.userId === f.userId('sha01.sales3'))).toMatchObject({ openLeads: 1, newLeads: 0 });
    const other = await t.login('pek01.manager');
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/leads/team-load?store=${store.id}`, headers: other.headers() })).statusCode,
    ).toBe(404);
    const consultant = await t.login('sha01.sales1');
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/leads/team-load?store=${store.id}`, headers: consultant.headers() })).statusCode,
    ).toBe(403);
  });

  it('a consultant can list the sources by name for filters and forms, without keys', async () => {
    const consultant = await t.login('sha01.sales1');
    const res = await t.app.inject({ method: 'GET', url: '/api/lead-sources', headers: consultant.headers() });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Record<string, unknown>[];
    expect(items.map((s) => s.name)).toContain('汽车之家');
    expect(Object.keys(items[0]!).sort()).toEqual(['id', 'kind', 'name']);
  });
});
