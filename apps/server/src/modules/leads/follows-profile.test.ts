import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, withTenant } from '../../platform/db.js';
import type { UseCaseContext } from '../../platform/context.js';
import { systemContext } from '../auth/system-context.js';
import { erasePerson } from '../customers/data-subject.js';
import { mergeProfiles } from '../identity/merge-profiles.js';
import { unmerge } from '../identity/unmerge.js';
import { notify } from '../notifications/notify.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { leadFixture, type LeadFixture } from '../../test/lifecycle-leads.js';

let t: TestApp;
let f: LeadFixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await leadFixture(t);
});
afterAll(async () => t.stop());

async function asOperator<T>(fn: (ctx: UseCaseContext) => Promise<T>): Promise<T> {
  const auth = await systemContext(t.database.db, 'demo');
  return withTenant(t.database.db, auth.tenantId, (tx) => fn({ tx, auth, keys: t.keys, meta: { ip: null, userAgent: 'test' } }));
}

async function profileOfRows(leadId: string) {
  const [lead] = await rowsOf<{ profile_id: string }>(t.database.db, sql`select profile_id from leads where id = ${leadId}::uuid`);
  const others = await rowsOf<{ profile_id: string }>(
    t.database.db,
    sql`select profile_id from lead_activities where lead_id = ${leadId}::uuid
        union all select profile_id from orders where lead_id = ${leadId}::uuid
        union all select profile_id from tasks where lead_id = ${leadId}::uuid`,
  );
  return { lead: lead?.profile_id, others: [...new Set(others.map((o) => o.profile_id))] };
}

async function addWork(lead: { id: string; profileId: string }) {
  const t0 = f.tenantId;
  await t.database.db.execute(sql`
    insert into lead_activities (tenant_id, id, lead_id, profile_id, type, note) values (${t0}::uuid, gen_random_uuid(), ${lead.id}::uuid, ${lead.profileId}::uuid, 'note', '客户想周末来')`);
  await t.database.db.execute(sql`
    insert into orders (tenant_id, id, lead_id, profile_id, kind, amount_fen) values (${t0}::uuid, gen_random_uuid(), ${lead.id}::uuid, ${lead.profileId}::uuid, 'deposit', 300000)`);
  await t.database.db.execute(sql`
    insert into tasks (tenant_id, id, lead_id, profile_id, type, due_at) values (${t0}::uuid, gen_random_uuid(), ${lead.id}::uuid, ${lead.profileId}::uuid, 'custom', now())`);
}

describe('leads follow the person (One ID)', () => {
  it('when two customers are merged, their leads and the work on them follow the survivor; an unmerge sends each back', async () => {
    const a = await f.makeLead({ name: '合并甲' });
    const b = await f.makeLead({ name: '合并乙', store: 'HGH01', owner: 'hgh01.sales1' });
    await addWork(a);
    await addWork(b);
    const merged = await asOperator((ctx) => mergeProfiles(ctx, [a.profileId, b.profileId], 'duplicate_review'));
    const survivor = merged.survivorId;
    const absorbed = survivor === a.profileId ? b : a;
    expect(await profileOfRows(absorbed.id)).toEqual({ lead: survivor, others: [survivor] });

    await asOperator((ctx) => unmerge(ctx, survivor, merged.mergeIds[0]!));
    expect(await profileOfRows(a.id)).toEqual({ lead: a.profileId, others: [a.profileId] });
    expect(await profileOfRows(b.id)).toEqual({ lead: b.profileId, others: [b.profileId] });
  });

  it('when a person is erased, their leads, activities, orders and tasks go with them and other leads stay', async () => {
    const gone = await f.makeLead({ name: '删除丙' });
    const kept = await f.makeLead({ name: '保留丁' });
    await addWork(gone);
    await addWork(kept);
    // The consultant was told of each lead by name, as intake's assignment note does.
    await withTenant(t.database.db, f.tenantId, (tx) =>
      notify(
        tx,
        f.tenantId,
        [gone, kept].map((l, i) => ({
          userId: f.userId('sha01.sales1'),
          kind: 'lead.assigned',
          title: `新线索 New lead: ${i === 0 ? '删除丙' : '保留丁'}`,
          link: `/leads/${l.id}`,
        })),
      ),
    );
    const notes = (leadId: string) =>
      rowsOf<{ title: string }>(t.database.db, sql`select title from notifications where link = ${`/leads/${leadId}`}`);
    expect((await notes(gone.id)).map((n) => n.title).join()).toContain('删除丙');
    const { erased } = await asOperator((ctx) => erasePerson(ctx, gone.profileId));
    expect(erased.leads).toBe(1);
    // The assignment note named the customer; it goes too, and the other customer's stays.
    expect(erased.notifications).toBeGreaterThan(0);
    expect(await notes(gone.id)).toEqual([]);
    expect((await notes(kept.id)).length).toBeGreaterThan(0);
    const left = await rowsOf<{ n: number | string }>(
      t.database.db,
      sql`select (select count(*) from leads where id = ${gone.id}::uuid) + (select count(*) from lead_activities where lead_id = ${gone.id}::uuid)
               + (select count(*) from orders where lead_id = ${gone.id}::uuid) + (select count(*) from tasks where lead_id = ${gone.id}::uuid) as n`,
    );
    expect(Number(left[0]!.n)).toBe(0);
    expect(await profileOfRows(kept.id)).toEqual({ lead: kept.profileId, others: [kept.profileId] });
  });

  it('when a manager reassigns a lead, then the new consultant sees its customer (360), and a consultant without it does not', async () => {
    const lead = await f.makeLead({ name: '改派戊' });
    const manager = await t.login('sha01.manager');
    const detail = await t.app.inject({ method: 'GET', url: `/api/leads/${lead.id}`, headers: manager.headers() });
    const assign = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/assign`,
      headers: manager.headers(true),
      payload: { userId: f.userId('sha01.sales2'), version: detail.json().version },
    });
    expect(assign.statusCode, assign.body).toBe(200);
    const sales2 = await t.login('sha01.sales2');
    expect((await t.app.inject({ method: 'GET', url: `/api/customers/${lead.profileId}`, headers: sales2.headers() })).statusCode).toBe(
      200,
    );
    const sales3 = await t.login('sha01.sales3');
    expect((await t.app.inject({ method: 'GET', url: `/api/customers/${lead.profileId}`, headers: sales3.headers() })).statusCode).toBe(
      404,
    );
  });
});
