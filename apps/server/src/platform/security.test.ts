import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretOf, startTestApp, type TestApp } from '../test/harness.js';
import { decrypt } from './crypto.js';
import { rowsOf, withTenant } from './db.js';
import { users } from '../modules/org/schema.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

async function dumpEverything(): Promise<string> {
  const tables = await rowsOf<{ table_name: string }>(
    t.database.db,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = await rowsOf<{ r: unknown }>(t.database.db, sql.raw(`select row_to_json(x) as r from "${table_name}" x`));
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}

describe('secrets and personal data at rest', () => {
  it('no password, session token, API key or phone number is stored or logged in plain text', async () => {
    const admin = await t.login('admin');
    const key = (
      await t.app.inject({
        method: 'POST',
        url: '/api/api-keys',
        headers: admin.headers(true),
        payload: { name: 'k', scopes: ['org.read'] },
      })
    ).json().key as string;
    const phone = '+8613912345678';
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin.headers(true),
      payload: {
        login: 'pii.check',
        displayName: 'PII',
        phone: '139 1234 5678',
        role: 'analyst',
        orgUnitId: admin.me.user.orgUnitId,
        password: 'Secret2026pw',
      },
    });
    expect(created.statusCode).toBe(201);
    const [row] = await t.database.db
      .select()
      .from(users)
      .where(sql`login = 'pii.check'`);
    expect(decrypt(t.keys, row!.phoneEnc!)).toBe(phone); // it is there, encrypted

    const dump = await dumpEverything();
    const logs = t.logs.join('');
    const token = admin.cookie.split('=')[1]!;
    for (const secret of ['13912345678', 'Secret2026pw', 'Forecourt2026', token, secretOf(key)]) {
      expect(dump, `database contains ${secret.slice(0, 4)}…`).not.toContain(secret);
      expect(logs, `logs contain ${secret.slice(0, 4)}…`).not.toContain(secret);
    }
    // and a demo user's phone, decrypted, appears nowhere
    const [demo] = await t.database.db
      .select()
      .from(users)
      .where(sql`login = 'sha01.sales1'`);
    const demoPhone = decrypt(t.keys, demo!.phoneEnc!).slice(3);
    expect(dump).not.toContain(demoPhone);
    expect(logs).not.toContain(demoPhone);
  });
});

describe('row-level security, the second lock', () => {
  it('inside one tenant’s transaction a query without any tenant filter still sees only that tenant', async () => {
    const [demo] = await rowsOf<{ id: string }>(t.database.db, sql`select id from tenants where code = 'demo'`);
    const other = '01900000-0000-7000-8000-0000000000aa';
    await t.database.db.execute(sql`insert into tenants (id, code, name) values (${other}, 'other', 'Other')`);
    await t.database.db.execute(
      sql`insert into org_units (tenant_id, id, path, type, code, name_zh, name_en) values (${other}, ${other}, ${`/${other}/`}, 'hq', 'HQ', '总部', 'HQ')`,
    );
    const seen = await withTenant(t.database.db, demo!.id, (tx) =>
      rowsOf<{ tenant_id: string }>(tx, sql`select distinct tenant_id from org_units`),
    );
    expect(seen.map((r) => r.tenant_id)).toEqual([demo!.id]);
    await expect(
      withTenant(t.database.db, demo!.id, (tx) =>
        tx.execute(
          sql`insert into org_units (tenant_id, id, path, type, code, name_zh, name_en) values (${other}, ${demo!.id}, '/x/', 'hq', 'HQ2', 'x', 'x')`,
        ),
      ),
    ).rejects.toThrow();
  });

  it('the audit log is append-only, for the app role and for the owner', async () => {
    const [demo] = await rowsOf<{ id: string }>(t.database.db, sql`select id from tenants where code = 'demo'`);
    await t.login('admin');
    await expect(withTenant(t.database.db, demo!.id, (tx) => tx.execute(sql`update audit_log set action = 'x'`))).rejects.toThrow();
    const owner = await t.database.db.execute(sql`delete from audit_log`).then(
      () => 'deleted',
      (e: Error & { cause?: Error }) => String(e.cause?.message ?? e.message),
    );
    expect(owner).toMatch(/append-only/);
  });
});
