import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportPreview, ImportView } from '@forecourt/contracts';
import { rowsOf, toCount } from '../../platform/db.js';
import { expireAbandonedUploads } from './job.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';

let t: TestApp;
let admin: Session;

// With workers: the start route queues a pg-boss job and the worker of this process runs it.
beforeAll(async () => {
  t = await startTestApp({ jobs: true });
  admin = await t.login('admin');
}, 60_000);
afterAll(() => t.stop());

const HEADER = '客户编号,客户姓名,手机号码,邮箱,城市,客户标签,是否同意短信营销';
const CSV = [
  HEADER,
  'C001,王小明,13912340001,,上海,VIP，试驾,是', // line 2
  'C002,李娜,1391234,,杭州,,否', // line 3: phone too short
  'C003,张伟,13912340003,zhangwei@163.com,南京,老客户,', // line 4
  ',,,,,,', // line 5: blank, skipped
  'C005,赵敏,13912340005,bad-email,苏州,,', // line 6: bad email
  'C006,刘洋,+86 139 1234 0006,,深圳,,同意', // line 7
].join('\r\n');

async function upload(
  body: string | Buffer,
  fileName = 'customers.csv',
  contentType = 'text/csv',
  session: Session = admin,
): Promise<{ status: number; json: ImportPreview & { error?: { code: string; message: string } } }> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/imports?fileName=${encodeURIComponent(fileName)}`,
    headers: { ...session.headers(true), 'content-type': contentType },
    payload: body,
  });
  return { status: res.statusCode, json: res.json() };
}

async function saveMapping(id: string, mapping: ImportPreview['mapping'], version: number, session: Session = admin) {
  return t.app.inject({ method: 'PUT', url: `/api/imports/${id}/mapping`, headers: session.headers(true), payload: { mapping, version } });
}

async function start(id: string, dryRun: boolean, version: number, session: Session = admin) {
  return t.app.inject({ method: 'POST', url: `/api/imports/${id}/start`, headers: session.headers(true), payload: { dryRun, version } });
}

async function waitDone(id: string, session: Session = admin): Promise<ImportView> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const res = await t.app.inject({ method: 'GET', url: `/api/imports/${id}`, headers: session.headers() });
    expect(res.statusCode).toBe(200);
    const view = res.json() as ImportView;
    if (view.status === 'done' || view.status === 'failed' || view.status === 'cancelled') return view;
    if (Date.now() > deadline) throw new Error(`import still ${view.status} after 45 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Upload, confirm the suggested mapping, run (or dry-run) to the end. */
async function importFile(body: string | Buffer, opts: { dryRun?: boolean; fileName?: string; session?: Session } = {}) {
  const session = opts.session ?? admin;
  const up = await upload(body, opts.fileName, 'text/csv', session);
  expect(up.status).toBe(201);
  const saved = await saveMapping(up.json.import.id, up.json.mapping, up.json.import.version, session);
  expect(saved.statusCode).toBe(200);
  const started = await start(up.json.import.id, opts.dryRun ?? false, (saved.json() as ImportPreview).import.version, session);
  expect(started.statusCode).toBe(202);
  return waitDone(up.json.import.id, session);
}

const count = async (query: ReturnType<typeof sql>) => toCount((await rowsOf<{ n: unknown }>(t.database.db, query))[0]?.n);
const profiles = () => count(sql`select count(*) as n from profiles where merged_into is null`);

async function customerByPhone(phone: string, session: Session = admin) {
  const res = await t.app.inject({ method: 'GET', url: `/api/customers?q=${encodeURIComponent(phone)}`, headers: session.headers() });
  expect(res.statusCode).toBe(200);
  return res.json().items as Array<{ id: string; name: string | null; tags: string[]; city: string | null }>;
}

describe('customer imports', () => {
  it('an upload answers the headers, a suggested mapping, masked samples and the first rows with their line numbers and errors', async () => {
    const { status, json } = await upload(CSV);
    expect(status).toBe(201);
    expect(json.import).toMatchObject({ status: 'uploaded', fileName: 'customers.csv', format: 'csv', processedRows: 0 });
    expect(json.headers).toEqual(HEADER.split(','));
    expect(json.suggested).toBe(true);
    expect(json.mappingProblem).toBeNull();
    expect(json.mapping.columns.map((c) => c.field)).toEqual([
      'user_id',
      'name',
      'phone',
      'email',
      'city',
      'tags',
      'consent:marketing:sms',
    ]);
    // Personal values are masked in samples and cells; the raw number never leaves the server.
    expect(json.samples[2]).toEqual(['139****0001', '139****', '139****0003']);
    expect(json.samples[1]![0]).toBe('王**');
    expect(JSON.stringify(json)).not.toContain('13912340001');
    expect(json.rows.map((r) => `${r.line}:${r.status}`)).toEqual(['2:ok', '3:error', '4:ok', '5:skip', '6:error', '7:ok']);
    expect(json.rows[1]!.errors[0]).toMatchObject({ column: 2, field: 'phone', value: '139****' });
    expect(json.rows[1]!.errors[0]!.message).toMatch(/not a Chinese mobile number/);
    const audit = await count(sql`select count(*) as n from audit_log where action = 'import.uploaded' and target_id = ${json.import.id}`);
    expect(audit).toBe(1);
  });

  it('bad input gets a 4xx with a code and a sentence naming the field, never a 500', async () => {
    const pdf = await upload(Buffer.from('%PDF-1.4\n%\u00e2\u00e3\n'), 'contract.pdf', 'application/octet-stream');
    expect(pdf.status).toBe(400);
    expect(pdf.json.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(pdf.json.error!.message).toMatch(/^fileName: only \.csv and \.xlsx/);

    const png = await upload(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'photo.csv');
    expect(png.status).toBe(400);
    expect(png.json.error!.message).toMatch(/^file: this is not a text \(CSV\) file/);

    const fakeXlsx = await upload('a,b\n1,2\n', 'customers.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(fakeXlsx.status).toBe(400);
    expect(fakeXlsx.json.error!.message).toMatch(/not a valid \.xlsx workbook/);

    const empty = await upload('', 'empty.csv');
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'file: the file is empty.' });

    const headerOnly = await upload(`${HEADER}\r\n`, 'header.csv');
    expect(headerOnly.status).toBe(400);
    expect(headerOnly.json.error!.message).toMatch(/^file: there are no data rows/);

    const json = await t.app.inject({
      method: 'POST',
      url: '/api/imports?fileName=a.csv',
      headers: { ...admin.headers(true), 'content-type': 'application/json' },
      payload: '{"rows":[]}',
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.message).toMatch(/^content-type: send the file itself/);

    const noName = await t.app.inject({
      method: 'POST',
      url: '/api/imports',
      headers: { ...admin.headers(true), 'content-type': 'text/csv' },
      payload: CSV,
    });
    expect(noName.statusCode).toBe(400);
    expect(noName.json().error.message).toMatch(/^querystring\.fileName/);

    const { json: ok } = await upload(CSV);
    const id = ok.import.id;
    const unknownField = await saveMapping(id, { columns: [{ index: 2, field: 'mobile' as never }] }, ok.import.version);
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(unknownField.json().error.message).toMatch(/^body\.mapping\.columns\.0\.field/);

    const noIdentity = await saveMapping(id, { columns: [{ index: 1, field: 'name' }] }, ok.import.version);
    expect(noIdentity.statusCode).toBe(400);
    expect(noIdentity.json().error.message).toMatch(/Map at least one column to phone/);

    const beyond = await saveMapping(id, { columns: [{ index: 9, field: 'phone' }] }, ok.import.version);
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json().error.message).toMatch(/^mapping\.columns\.0\.index: the file has 7 columns/);

    const stale = await saveMapping(id, ok.mapping, ok.import.version + 5);
    expect(stale.statusCode).toBe(409);

    const unmapped = await start(id, false, ok.import.version);
    expect(unmapped.statusCode).toBe(409);
    expect(unmapped.json().error.message).toMatch(/^mapping: save the column mapping/);

    const unknown = await t.app.inject({
      method: 'GET',
      url: `/api/imports/0190a000-0000-7000-8000-000000000000`,
      headers: admin.headers(),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('a dry run reports what would happen and writes no profile, event or consent', async () => {
    const csv = [HEADER, 'D001,周杰,13712340001,,上海,,是', 'D002,吴敏,13712340002,,上海,,', 'D003,坏行,12345,,上海,,'].join('\n');
    const before = { profiles: await profiles(), events: await count(sql`select count(*) as n from events`) };
    const view = await importFile(csv, { dryRun: true });
    expect(view).toMatchObject({ status: 'done', dryRun: true, processedRows: 3, okRows: 2, errorRows: 1, duplicateRows: 0, percent: 100 });
    expect(view.outcome).toEqual({ newProfiles: 2, matchedRows: 0, merges: 0 });
    expect(await profiles()).toBe(before.profiles);
    expect(await count(sql`select count(*) as n from events`)).toBe(before.events);
    expect(await count(sql`select count(*) as n from message_ids where message_id like 'import:%'`)).toBe(0);
    const errors = await t.app.inject({ method: 'GET', url: `/api/imports/${view.id}/errors`, headers: admin.headers() });
    expect(errors.json().items.map((e: { line: number }) => e.line)).toEqual([4]);

    // The same import then runs for real.
    const real = await start(view.id, false, view.version);
    expect(real.statusCode).toBe(202);
    const done = await waitDone(view.id);
    expect(done).toMatchObject({
      status: 'done',
      dryRun: false,
      okRows: 2,
      errorRows: 1,
      outcome: { newProfiles: 2, matchedRows: 0, merges: 0 },
    });
    expect(await profiles()).toBe(before.profiles + 2);
  });

  it('the run imports the good rows, keeps the bad ones by line number, and leaves an import event and consent-ledger rows', async () => {
    const view = await importFile(CSV);
    expect(view).toMatchObject({ status: 'done', totalRows: 6, processedRows: 6, okRows: 3, errorRows: 2, duplicateRows: 0, percent: 100 });
    expect(view.rowsPerSecond).toBeGreaterThan(0);

    const errors = await t.app.inject({ method: 'GET', url: `/api/imports/${view.id}/errors?limit=1`, headers: admin.headers() });
    expect(errors.statusCode).toBe(200);
    const first = errors.json();
    expect(first.items).toEqual([{ line: 3, errors: [expect.objectContaining({ column: 2, field: 'phone', value: '139****' })] }]);
    const rest = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${view.id}/errors?cursor=${first.nextCursor}`,
      headers: admin.headers(),
    });
    expect(rest.json().items.map((e: { line: number; errors: Array<{ field: string }> }) => `${e.line}:${e.errors[0]!.field}`)).toEqual([
      '6:email',
    ]);

    const csv = await t.app.inject({ method: 'GET', url: `/api/imports/${view.id}/errors.csv`, headers: admin.headers() });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('line,column,field,value,message');
    expect(lines[1]).toMatch(/^3,3,phone,139\*\*\*\*,/);
    expect(lines[2]).toMatch(/^6,4,email,/);
    expect(csv.body).not.toContain('bad-email@');

    const [wang] = await customerByPhone('13912340001');
    expect(wang).toMatchObject({ name: '王小明', city: '上海' });
    expect(wang!.tags.sort()).toEqual(['VIP', '试驾']);
    const customer = (await t.app.inject({ method: 'GET', url: `/api/customers/${wang!.id}`, headers: admin.headers() })).json();
    expect(customer.identities.map((i: { type: string }) => i.type).sort()).toEqual(['phone', 'user_id']);
    expect(customer.consents).toEqual([
      expect.objectContaining({ purpose: 'marketing', channel: 'sms', granted: true, sourceId: view.sourceId }),
    ]);
    expect(customer.consents[0].evidence).toMatchObject({ importId: view.id, fileName: 'customers.csv', line: 2 });
    const timeline = (await t.app.inject({ method: 'GET', url: `/api/customers/${wang!.id}/timeline`, headers: admin.headers() })).json();
    expect(timeline.items).toEqual([expect.objectContaining({ type: 'import', name: 'customers.csv', sourceId: view.sourceId })]);
    expect(timeline.items[0].properties).toMatchObject({ importId: view.id, line: 2 });

    // Every row leaves exactly one event; the file is gone once the import is done.
    expect(await count(sql`select count(*) as n from events where type = 'import' and properties->>'importId' = ${view.id}`)).toBe(3);
    expect(view.fileBytes).toBeNull();
    const source = await rowsOf<{ kind: string; name: string }>(
      t.database.db,
      sql`select kind, name from sources where id = ${view.sourceId}::uuid`,
    );
    expect(source).toEqual([{ kind: 'import', name: '文件导入' }]);
  });

  it('the same file imported twice adds no profile, event or consent, and counts every good row as a duplicate', async () => {
    const csv = [HEADER, 'R001,孙丽,13612340001,,北京,,是', 'R002,钱军,13612340002,,北京,,否', 'R002,钱军,13612340002,,北京,,否'].join(
      '\n',
    );
    const first = await importFile(csv, { fileName: 'again.csv' });
    expect(first).toMatchObject({ okRows: 2, duplicateRows: 1, errorRows: 0 });
    const before = {
      profiles: await profiles(),
      events: await count(sql`select count(*) as n from events`),
      consents: await count(sql`select count(*) as n from consents`),
      identities: await count(sql`select count(*) as n from identities`),
    };
    // Columns in another order, cells spelled differently: the same customers, the same fingerprints.
    const reordered = [
      '手机号码,客户姓名,客户编号,城市,是否同意短信营销',
      '136 1234 0001,孙丽,R001,北京,是',
      '+8613612340002,钱军,R002,北京,否',
    ].join('\n');
    const second = await importFile(reordered, { fileName: 'again-2.csv' });
    expect(second).toMatchObject({ status: 'done', processedRows: 2, okRows: 0, duplicateRows: 2, errorRows: 0 });
    expect({
      profiles: await profiles(),
      events: await count(sql`select count(*) as n from events`),
      consents: await count(sql`select count(*) as n from consents`),
      identities: await count(sql`select count(*) as n from identities`),
    }).toEqual(before);
  });

  it('an imported phone that matches a tracked visitor joins that profile instead of making a new one', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/sources',
      headers: admin.headers(true),
      payload: { name: 'Website', kind: 'website' },
    });
    const writeKey = created.json().writeKey as string;
    const tracked = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      payload: {
        batch: [
          { type: 'page', anonymousId: 'anon-imp-1', name: '车型页' },
          { type: 'identify', anonymousId: 'anon-imp-1', traits: { phone: '13512349999', city: '杭州' } },
        ],
      },
    });
    expect(tracked.json().accepted).toBe(2);
    // The worker loop of this process may hold the batch; wait for the profile rather than for the log.
    let visitor: Awaited<ReturnType<typeof customerByPhone>>[number] | undefined;
    for (let tries = 0; !visitor && tries < 100; tries++) {
      await t.pipeline.drain();
      [visitor] = await customerByPhone('13512349999');
      if (!visitor) await new Promise((r) => setTimeout(r, 100));
    }
    expect(visitor).toBeDefined();
    const before = await profiles();

    const csv = ['手机,姓名,邮箱', '135-1234-9999,陈静,chenjing@qq.com'].join('\n');
    const view = await importFile(csv, { fileName: 'merge.csv' });
    expect(view).toMatchObject({ okRows: 1, outcome: { newProfiles: 0, matchedRows: 1, merges: 0 } });
    expect(await profiles()).toBe(before);
    const [after] = await customerByPhone('chenjing@qq.com');
    expect(after).toMatchObject({ id: visitor!.id, name: '陈静' });
    const timeline = (
      await t.app.inject({ method: 'GET', url: `/api/customers/${visitor!.id}/timeline`, headers: admin.headers() })
    ).json();
    expect(timeline.items.map((i: { type: string }) => i.type).sort()).toEqual(['identify', 'import', 'page']);

    // A row that links this visitor to an earlier imported customer merges the two.
    const link = ['手机,邮箱', '13912340003,chenjing@qq.com'].join('\n');
    const merged = await importFile(link, { fileName: 'link.csv' });
    expect(merged.outcome).toEqual({ newProfiles: 0, matchedRows: 1, merges: 1 });
    const [one] = await customerByPhone('13912340003');
    const [two] = await customerByPhone('13512349999');
    expect(one!.id).toBe(two!.id);
  });

  it('an XLSX workbook imports like a CSV', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('客户');
    sheet.addRow(['姓名', '手机号', '生日']);
    sheet.addRow(['林峰', '13312340001', new Date(Date.UTC(1990, 4, 6))]);
    sheet.addRow(['', '12', '']);
    const body = Buffer.from(await workbook.xlsx.writeBuffer());
    const { status, json } = await upload(body, '客户.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(status).toBe(201);
    expect(json.import.format).toBe('xlsx');
    expect(json.rows.map((r) => `${r.line}:${r.status}`)).toEqual(['2:ok', '3:error']);
    const saved = await saveMapping(json.import.id, json.mapping, json.import.version);
    await start(json.import.id, false, saved.json().import.version);
    const view = await waitDone(json.import.id);
    expect(view).toMatchObject({ status: 'done', okRows: 1, errorRows: 1, totalRows: 2 });
    const [lin] = await customerByPhone('13312340001');
    const customer = (await t.app.inject({ method: 'GET', url: `/api/customers/${lin!.id}`, headers: admin.headers() })).json();
    expect(customer.traits.find((x: { key: string }) => x.key === 'birthday')?.value).toBe('1990-05-06');
  });

  it('a store manager imports into their store: they see the customers and the import, another store does not; a consultant may not import', async () => {
    const manager = await t.login('sha01.manager');
    const csv = ['手机,姓名', '13012340077,何平'].join('\n');
    const view = await importFile(csv, { session: manager, fileName: 'store.csv' });
    expect(view.okRows).toBe(1);
    expect(await customerByPhone('13012340077', manager)).toHaveLength(1);
    const list = (await t.app.inject({ method: 'GET', url: '/api/imports', headers: manager.headers() })).json();
    expect(list.items.map((i: ImportView) => i.id)).toEqual([view.id]);
    const adminList = (await t.app.inject({ method: 'GET', url: '/api/imports?limit=100', headers: admin.headers() })).json();
    expect(adminList.items.map((i: ImportView) => i.id)).toContain(view.id);

    const others = await rowsOf<{ login: string }>(
      t.database.db,
      sql`select u.login from users u join org_units o on o.tenant_id = u.tenant_id and o.id = u.org_unit_id
          where u.role = 'store_manager' and o.code <> 'SHA01' limit 1`,
    );
    const other = await t.login(others[0]!.login);
    expect(await customerByPhone('13012340077', other)).toHaveLength(0);
    const hidden = await t.app.inject({ method: 'GET', url: `/api/imports/${view.id}`, headers: other.headers() });
    expect(hidden.statusCode).toBe(404);

    const consultant = await t.login('sha01.sales1');
    const denied = await upload(CSV, 'x.csv', 'text/csv', consultant);
    expect(denied.status).toBe(403);
  });

  it('cancel stops an import; it cannot be started again and its file is removed', async () => {
    const { json } = await upload(CSV, 'cancel.csv');
    expect(json.import.fileBytes).toBeGreaterThan(0);
    const cancelled = await t.app.inject({ method: 'POST', url: `/api/imports/${json.import.id}/cancel`, headers: admin.headers(true) });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', fileBytes: null });
    const again = await start(json.import.id, false, cancelled.json().version);
    expect(again.statusCode).toBe(409);
    const audit = await count(sql`select count(*) as n from audit_log where action = 'import.cancelled' and target_id = ${json.import.id}`);
    expect(audit).toBe(1);
  });

  it('an upload left unimported for a week is deleted and its import says why; a recent one and a finished import stay', async () => {
    const old = (await upload(CSV, 'abandoned.csv')).json.import;
    const recent = (await upload(CSV, 'recent.csv')).json.import;
    expect(old.fileBytes).toBeGreaterThan(0);
    await t.database.db.execute(sql`update imports set created_at = now() - interval '8 days' where id = ${old.id}::uuid`);
    const finishedBefore = await count(sql`select count(*) as n from imports where status = 'done' and not dry_run`);

    expect(await expireAbandonedUploads(t.database)).toBe(1);
    const view = (await t.app.inject({ method: 'GET', url: `/api/imports/${old.id}`, headers: admin.headers() })).json();
    expect(view).toMatchObject({ status: 'cancelled', fileBytes: null });
    expect(view.failure).toMatch(/deleted after 7 days/);
    const kept = (await t.app.inject({ method: 'GET', url: `/api/imports/${recent.id}`, headers: admin.headers() })).json();
    expect(kept).toMatchObject({ status: 'uploaded' });
    expect(kept.fileBytes).toBeGreaterThan(0);
    expect(await count(sql`select count(*) as n from imports where status = 'done' and not dry_run`)).toBe(finishedBefore);
    expect(await expireAbandonedUploads(t.database)).toBe(0);
  });
});
