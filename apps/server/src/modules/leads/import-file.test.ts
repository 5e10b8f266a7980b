import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { createSource } from './lead-test-helpers.js';

let t: TestApp;
let admin: Session;
let manager: Session;
let source: { id: string };

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  manager = await t.login('sha01.manager');
  source = await createSource(t, admin, '车展报名表 Auto show sign-ups', { kind: 'other' });
});
afterAll(async () => t.stop());

const FILE = [
  '线索编号,姓名,手机,意向车型,门店编码,备注',
  'SHOW-1,周晓明,138 0013 8301,星驰 S7,SHA01,周末来店',
  'SHOW-2,吴芳,12345,星驰 X5,SHA01,',
  'SHOW-3,无联系方式,,星驰 E3,SHA01,',
  'SHOW-4,郑浩然,+86 139-0013-8302,星驰 M9,HGH01,想试驾',
].join('\r\n');

const upload = (session: Session, body: string, fileName = 'auto-show.csv', sourceId = source.id) =>
  t.app.inject({
    method: 'POST',
    url: `/api/leads/import?fileName=${encodeURIComponent(fileName)}&sourceId=${sourceId}`,
    headers: { ...session.headers(true), 'content-type': 'text/csv' },
    payload: body,
  });

describe('lead file import', () => {
  it('when a file has bad rows, then they are reported by line and field while the good rows become leads; the same file again adds nothing', async () => {
    const res = await upload(manager, FILE);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ rows: 4, created: 2, inquiries: 0, duplicates: 0 });
    expect(body.mapping).toMatchObject({ externalId: '线索编号', 'customer.phone': '手机', 'vehicle.model': '意向车型' });
    expect(body.results.map((r: { line: number }) => r.line)).toEqual([2, 5]);
    expect(
      body.problems.map((p: { line: number; path: string }) => [p.line, p.path]),
      JSON.stringify(body.problems),
    ).toEqual([
      [3, 'customer.phone'], // the cell that could not be read
      [3, 'customer'], // and so the row has no contact left
      [4, 'customer'],
    ]);
    const leads = await rowsOf<{ customer_name: string; intake: string; store_code: string }>(
      t.database.db,
      sql`select l.customer_name, l.intake, u.code as store_code from leads l join org_units u on u.id = l.store_id
          where l.source_id = ${source.id}::uuid order by l.customer_name`,
    );
    expect(leads).toEqual([
      { customer_name: '周晓明', intake: 'import', store_code: 'SHA01' },
      { customer_name: '郑浩然', intake: 'import', store_code: 'HGH01' },
    ]);

    const again = (await upload(manager, FILE)).json();
    expect(again).toMatchObject({ created: 0, duplicates: 2 });
    const [n] = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select count(*) as n from leads where source_id = ${source.id}::uuid`,
    );
    expect(Number(n!.n)).toBe(2);
  });

  it('when the header has no phone or e-mail column, or the caller may not import, then nothing is read', async () => {
    const noContact = await upload(manager, '姓名,车型\n张三,星驰 S7');
    expect(noContact.statusCode).toBe(400);
    expect(noContact.json().error.message).toContain('phone');
    const consultant = await t.login('sha01.sales1');
    expect((await upload(consultant, FILE)).statusCode).toBe(403);
    expect((await upload(manager, FILE, 'leads.xls')).statusCode).toBe(400);
  });
});
