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

const URL = '/api/settings/customer-data';
const put = (who: Session, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PUT', url: URL, headers: who.headers(true), payload });

async function visibleToManager(phone: string): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: `/api/customers?q=${phone}`, headers: manager.headers() });
  expect(res.statusCode).toBe(200);
  return res.json().items.length;
}

describe('customer-data settings', () => {
  it('an OEM admin changes the rules; they apply to the next request, are audited, and a stale editor gets 409', async () => {
    const src = await t.app.inject({
      method: 'POST',
      url: '/api/sources',
      headers: admin.headers(true),
      payload: { name: 'Web', kind: 'website' },
    });
    const writeKey = src.json().writeKey as string;
    await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      payload: { batch: [{ type: 'identify', userId: 's-1', traits: { name: '孙丽', phone: '13522223333' } }] },
    });
    await t.pipeline.drain();
    // A profile no store has worked on is not a store manager's, under the default policy.
    expect(await visibleToManager('13522223333')).toBe(0);

    const loaded = await t.app.inject({ method: 'GET', url: URL, headers: admin.headers() });
    expect(loaded.statusCode).toBe(200);
    const view = loaded.json();
    expect(view.version).toBe(0);
    expect(view.settings).toEqual(view.defaults);
    expect(view.settings.profileVisibility).toBe('linked');

    const saved = await put(admin, { version: 0, settings: { ...view.settings, profileVisibility: 'tenant', maxProfilesPerMerge: 4 } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ version: 1, settings: { profileVisibility: 'tenant', maxProfilesPerMerge: 4 } });
    expect(await visibleToManager('13522223333')).toBe(1);

    const stale = await put(admin, { version: 0, settings: view.settings });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toMatch(/^version: /);

    const [audit] = await rowsOf<{ details: { changed: string[]; after: Record<string, unknown> } }>(
      t.database.db,
      sql`select details from audit_log where action = 'customers.settings_changed'`,
    );
    expect(audit!.details.changed.sort()).toEqual(['maxProfilesPerMerge', 'profileVisibility']);
    expect(audit!.details.after).toEqual({ profileVisibility: 'tenant', maxProfilesPerMerge: 4 });
  });

  it('rejects rules that make no sense, naming the field, and keeps the old ones', async () => {
    const { settings, version } = (await t.app.inject({ method: 'GET', url: URL, headers: admin.headers() })).json();
    const tooLow = await put(admin, { version, settings: { ...settings, maxProfilesPerMerge: 1 } });
    expect(tooLow.statusCode).toBe(400);
    expect(JSON.stringify(tooLow.json().error)).toContain('maxProfilesPerMerge');

    const twice = await put(admin, { version, settings: { ...settings, sourcePriority: ['dms', 'website', 'dms'] } });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error.message).toBe('settings.sourcePriority: lists a source kind twice.');

    const badType = await put(admin, { version, settings: { ...settings, identityTypes: { fax: { priority: 1, maxPerProfile: 1 } } } });
    expect(badType.statusCode).toBe(400);

    const after = (await t.app.inject({ method: 'GET', url: URL, headers: admin.headers() })).json();
    expect(after.version).toBe(version);
    expect(after.settings).toEqual(settings);
  });

  it('only roles with customers.configure may read or change the rules', async () => {
    expect((await t.app.inject({ method: 'GET', url: URL, headers: manager.headers() })).statusCode).toBe(403);
    expect((await put(manager, { version: 1, settings: {} })).statusCode).toBe(403);
  });
});
