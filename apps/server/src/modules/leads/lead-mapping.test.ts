import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { basic, createSource } from './lead-test-helpers.js';

let t: TestApp;
let admin: Session;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
});
afterAll(async () => t.stop());

// The shape is invented, in the style of a vertical-media platform's push (a list under data.list).
const PUSH = {
  code: 0,
  data: { list: [{ clue_id: 'DCD-90001', user: { nick: '韩梅梅', mobile: '13900138555' }, series_name: '星驰 S7', city: '杭州市' }] },
};
const MAPPING = {
  records: 'data.list',
  fields: {
    externalId: 'clue_id',
    'customer.name': 'user.nick',
    'customer.phone': 'user.mobile',
    'vehicle.series': 'series_name',
    'customer.city': 'city',
  },
};

describe('a lead platform’s field mapping', () => {
  it('when an admin saves a mapping in the console, then the platform’s own JSON becomes a lead; the preview writes nothing', async () => {
    const source = await createSource(t, admin, '懂车帝 mapping test');
    const preview = await t.app.inject({
      method: 'POST',
      url: `/api/sources/${source.id}/lead-mapping/preview`,
      headers: admin.headers(true),
      payload: { mapping: MAPPING, sample: PUSH },
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().leads[0]).toMatchObject({
      externalId: 'DCD-90001',
      customer: { name: '韩梅梅' },
      vehicle: { series: '星驰 S7' },
    });
    expect((await t.app.inject({ method: 'GET', url: `/api/sources/${source.id}/lead-mapping`, headers: admin.headers() })).json()).toEqual(
      {
        mapping: null,
      },
    );

    const saved = await t.app.inject({
      method: 'PUT',
      url: `/api/sources/${source.id}/lead-mapping`,
      headers: admin.headers(true),
      payload: { mapping: MAPPING },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const pushed = await t.app.inject({
      method: 'POST',
      url: '/v1/leads',
      headers: { authorization: basic(source.writeKey), 'content-type': 'application/json' },
      payload: PUSH,
    });
    expect(pushed.statusCode, pushed.body).toBe(200);
    expect(pushed.json().results).toHaveLength(1);
    const [lead] = await rowsOf<{ customer_name: string; series: string; city: string }>(
      t.database.db,
      sql`select customer_name, series, city from leads where source_id = ${source.id}::uuid`,
    );
    expect(lead).toEqual({ customer_name: '韩梅梅', series: '星驰 S7', city: '杭州市' });
    const [audit] = await rowsOf<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from audit_log where action = 'source.lead_mapping_saved'`,
    );
    expect(audit!.n).toBe(1);
  });

  it('when a mapping names a field that does not exist or a path that is not one, then 400 naming it; a store manager may not set it', async () => {
    const source = await createSource(t, admin, '易车 mapping test');
    const bad = await t.app.inject({
      method: 'PUT',
      url: `/api/sources/${source.id}/lead-mapping`,
      headers: admin.headers(true),
      payload: { mapping: { fields: { 'customer.phone': 'user..mobile' } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('customer.phone');
    const manager = await t.login('sha01.manager');
    expect(
      (
        await t.app.inject({
          method: 'PUT',
          url: `/api/sources/${source.id}/lead-mapping`,
          headers: manager.headers(true),
          payload: { mapping: null },
        })
      ).statusCode,
    ).toBe(403);
  });
});
