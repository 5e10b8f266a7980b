import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { MESSAGE_ID_RETENTION_DAYS, purgeMessageIds } from './jobs.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe('messageId retention', () => {
  it('forgets tracking messageIds past the window, keeps recent ones and every import row', async () => {
    const [tenant] = await rowsOf<{ id: string }>(t.database.db, sql`select id from tenants where code = 'demo'`);
    const old = `${MESSAGE_ID_RETENTION_DAYS + 1} days`;
    await t.database.db.execute(sql`
      insert into message_ids (tenant_id, message_id, received_at) values
        (${tenant!.id}::uuid, 'old-1', now() - ${old}::interval),
        (${tenant!.id}::uuid, 'old-2', now() - ${old}::interval),
        (${tenant!.id}::uuid, 'recent', now() - interval '2 days'),
        (${tenant!.id}::uuid, 'import:src:abc', now() - interval '400 days')`);
    expect(await purgeMessageIds(t.database)).toBe(2);
    const left = await rowsOf<{ message_id: string }>(t.database.db, sql`select message_id from message_ids order by message_id`);
    expect(left.map((r) => r.message_id)).toEqual(['import:src:abc', 'recent']);
    expect(await purgeMessageIds(t.database)).toBe(0);
  });
});
