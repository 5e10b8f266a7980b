import type { LeadInput } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, withTenant } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { createLead } from './create-lead.js';
import { count, createSource, newPhone, onDutyOnly, unitOf, userOf } from './lead-test-helpers.js';
import { markFirstContact, runSlaSweep, sweepTenantSla } from './sla.js';

let t: TestApp;
let admin: Session;
let tenantId: string;
let sha: { id: string };

const NINE_TO_SIX = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '09:00', close: '18:00' }));

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  tenantId = admin.me.tenant.id;
  sha = await createSource(t, admin, 'SHA01 官网', { storeCode: 'SHA01' });
  await t.database.db.execute(sql`update org_units set business_hours = ${JSON.stringify(NINE_TO_SIX)}::jsonb where code = 'SHA01'`);
  await onDutyOnly(t, 'SHA01', ['sha01.sales1', 'sha01.sales2']);
});
afterAll(() => t.stop());

/** Intake at a chosen arrival time (the HTTP route always uses "now"). */
async function arrive(at: string, extra: Partial<LeadInput> = {}, sourceId = sha.id) {
  const input: LeadInput = { customer: { phone: newPhone() }, vehicle: { condition: 'new' }, priority: 'normal', ...extra };
  return withTenant(t.database.db, tenantId, (tx) =>
    createLead(
      { tx, tenantId, keys: t.keys, driver: t.database.kind, actorId: null },
      { sourceId, intake: 'api', input, raw: null, receivedAt: new Date(at) },
    ),
  );
}

const leadRow = async (id: string) =>
  (
    await rowsOf<{
      first_contact_due_at: string;
      sla_state: string;
      sla_reminded_at: string | null;
      sla_breached_at: string | null;
      first_contact_at: string | null;
      owner_user_id: string | null;
    }>(
      t.database.db,
      sql`select first_contact_due_at, sla_state, sla_reminded_at, sla_breached_at, first_contact_at, owner_user_id from leads where id = ${id}::uuid`,
    )
  )[0]!;
const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
const setDue = (id: string, sqlTime: ReturnType<typeof sql>) =>
  t.database.db.execute(sql`update leads set first_contact_due_at = ${sqlTime} where id = ${id}::uuid`);

async function saveSettings(patch: Record<string, unknown>) {
  const view = (await t.app.inject({ method: 'GET', url: '/api/lead-settings', headers: admin.headers() })).json();
  const res = await t.app.inject({
    method: 'PUT',
    url: '/api/lead-settings',
    headers: admin.headers(true),
    payload: { version: view.version, settings: { ...view.settings, ...patch } },
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe('first-contact deadline', () => {
  it('when a lead arrives at night, then it is due 30 minutes after the store opens', async () => {
    const r = await arrive('2026-03-02T23:10:00+08:00');
    expect(iso((await leadRow(r.leadId)).first_contact_due_at)).toBe('2026-03-03T01:30:00.000Z'); // 09:30 in Shanghai
    const [task] = await rowsOf<{ due_at: string; owner_user_id: string; status: string }>(
      t.database.db,
      sql`select due_at, owner_user_id, status from tasks where lead_id = ${r.leadId}::uuid and type = 'first_contact'`,
    );
    expect(task).toMatchObject({ owner_user_id: r.ownerUserId, status: 'open' });
    expect(iso(task!.due_at)).toBe('2026-03-03T01:30:00.000Z');
  });

  it('when a lead arrives 10 minutes before closing, then the rest of its time runs from opening the next day', async () => {
    const r = await arrive('2026-03-02T17:50:00+08:00');
    expect(iso((await leadRow(r.leadId)).first_contact_due_at)).toBe('2026-03-03T01:20:00.000Z'); // 09:20
  });

  it('a source’s own SLA replaces the default and a high priority tightens it', async () => {
    await saveSettings({ sla: { defaultMinutes: 30, bySource: { [sha.id]: 120 }, byPriority: { high: 15 } } });
    const normal = await arrive('2026-03-02T10:00:00+08:00');
    expect(iso((await leadRow(normal.leadId)).first_contact_due_at)).toBe('2026-03-02T04:00:00.000Z'); // 12:00
    const high = await arrive('2026-03-02T10:00:00+08:00', { priority: 'high' });
    expect(iso((await leadRow(high.leadId)).first_contact_due_at)).toBe('2026-03-02T02:15:00.000Z'); // 10:15
    await saveSettings({ sla: { defaultMinutes: 30, bySource: {}, byPriority: {} } });
  });
});

describe('the sweep', () => {
  it('reminds the owner before the deadline and, after it, marks the breach and tells the owner and the store’s managers', async () => {
    const soon = await arrive(new Date().toISOString());
    const late = await arrive(new Date().toISOString());
    const later = await arrive(new Date().toISOString());
    await setDue(soon.leadId, sql`now() + interval '5 minutes'`);
    await setDue(late.leadId, sql`now() - interval '1 minute'`);
    await setDue(later.leadId, sql`now() + interval '2 hours'`);
    const closed = await arrive(new Date().toISOString());
    await setDue(closed.leadId, sql`now() - interval '1 minute'`);
    await t.database.db.execute(sql`update leads set stage = 'lost' where id = ${closed.leadId}::uuid`);
    const manager = await userOf(t, 'sha01.manager');

    const result = await runSlaSweep(t.database);
    expect(result.reminded).toBeGreaterThanOrEqual(1);
    expect(result.breached).toBeGreaterThanOrEqual(1);

    const s = await leadRow(soon.leadId);
    expect(s.sla_state).toBe('pending');
    expect(s.sla_reminded_at).not.toBeNull();
    expect(
      await count(
        t,
        'notifications',
        sql`kind = 'lead.sla_reminder' and user_id = ${soon.ownerUserId}::uuid and link = ${`/leads/${soon.leadId}`}`,
      ),
    ).toBe(1);

    const l = await leadRow(late.leadId);
    expect(l.sla_state).toBe('breached');
    expect(l.sla_breached_at).not.toBeNull();
    const told = await rowsOf<{ user_id: string }>(
      t.database.db,
      sql`select user_id from notifications where kind = 'lead.sla_breached' and link = ${`/leads/${late.leadId}`} order by user_id`,
    );
    expect(told.map((n) => n.user_id)).toContain(late.ownerUserId!);
    // The manager hears of it by name when it is the only breach of the sweep, else in one note for all of them.
    const managerNotes = await rowsOf<{ title: string; link: string }>(
      t.database.db,
      sql`select title, link from notifications where kind = 'lead.sla_breached' and user_id = ${manager}::uuid`,
    );
    expect(managerNotes).toHaveLength(1);
    expect(
      managerNotes[0]!.link === `/leads/${late.leadId}` ||
        (managerNotes[0]!.link === '/leads?sla=breached' && /^\d+ 条线索/.test(managerNotes[0]!.title)),
    ).toBe(true);

    expect((await leadRow(later.leadId)).sla_reminded_at).toBeNull();
    expect((await leadRow(later.leadId)).sla_state).toBe('pending');
    expect((await leadRow(closed.leadId)).sla_state).toBe('pending'); // lost before anyone called: nobody to chase

    // A second sweep finds nothing new to say.
    const before = await count(t, 'notifications');
    const again = await runSlaSweep(t.database);
    expect(again).toEqual({ reminded: 0, breached: 0, reassigned: 0 });
    expect(await count(t, 'notifications')).toBe(before);
  });

  it('when reassignOnBreach is on, then a breached lead goes to the next consultant with reason sla_breach', async () => {
    await saveSettings({ reassignOnBreach: true });
    const r = await arrive(new Date().toISOString());
    await setDue(r.leadId, sql`now() - interval '1 minute'`);
    const result = await withTenant(t.database.db, tenantId, (tx) => sweepTenantSla(tx, tenantId));
    expect(result.reassigned).toBe(1);
    const row = await leadRow(r.leadId);
    expect(row.owner_user_id).not.toBe(r.ownerUserId);
    expect([await userOf(t, 'sha01.sales1'), await userOf(t, 'sha01.sales2')]).toContain(row.owner_user_id);
    const reasons = await rowsOf<{ reason: string }>(
      t.database.db,
      sql`select reason from lead_assignments where lead_id = ${r.leadId}::uuid order by at, id`,
    );
    expect(reasons.map((x) => x.reason)).toEqual(['round_robin', 'sla_breach']);
    expect(
      await count(t, 'tasks', sql`lead_id = ${r.leadId}::uuid and type = 'first_contact' and owner_user_id = ${row.owner_user_id}::uuid`),
    ).toBe(1);
    await saveSettings({ reassignOnBreach: false });
  });

  // Speed is measured by bench/leads.ts, not here; this checks that a sweep among many pending leads touches only the due one.
  it('among 20,000 pending leads, the sweep breaches only the one past its deadline', async () => {
    const store = await unitOf(t, 'SHA01');
    const template = await arrive(new Date().toISOString());
    await t.database.db.execute(sql`
      insert into leads (tenant_id, id, profile_id, source_id, intake, store_id, store_path, owner_user_id, first_contact_due_at)
      select l.tenant_id, gen_random_uuid(), l.profile_id, l.source_id, 'import', ${store.id}::uuid, ${store.path}, l.owner_user_id,
             now() + make_interval(mins => 30 + (g % 600))
      from leads l, generate_series(1, 20000) g where l.id = ${template.leadId}::uuid`);
    await setDue(template.leadId, sql`now() - interval '1 minute'`);
    const result = await runSlaSweep(t.database);
    expect(result).toMatchObject({ breached: 1, reminded: 0 });
    await t.database.db.execute(sql`delete from leads where intake = 'import'`);
  }, 120_000);
});

describe('first contact', () => {
  it('before the deadline the SLA is met and the task done; after it the lead is breached; only the first contact counts', async () => {
    const onTime = await arrive(new Date().toISOString());
    await setDue(onTime.leadId, sql`now() + interval '10 minutes'`);
    await withTenant(t.database.db, tenantId, (tx) => markFirstContact(tx, tenantId, onTime.leadId, new Date()));
    const met = await leadRow(onTime.leadId);
    expect(met.sla_state).toBe('met');
    expect(met.first_contact_at).not.toBeNull();
    expect(await count(t, 'tasks', sql`lead_id = ${onTime.leadId}::uuid and type = 'first_contact' and status = 'done'`)).toBe(1);
    await withTenant(t.database.db, tenantId, (tx) => markFirstContact(tx, tenantId, onTime.leadId, new Date(Date.now() + 3_600_000)));
    expect(iso((await leadRow(onTime.leadId)).first_contact_at)).toBe(iso(met.first_contact_at));

    const tooLate = await arrive(new Date().toISOString());
    await setDue(tooLate.leadId, sql`now() - interval '10 minutes'`);
    await withTenant(t.database.db, tenantId, (tx) => markFirstContact(tx, tenantId, tooLate.leadId, new Date()));
    const breached = await leadRow(tooLate.leadId);
    expect(breached.sla_state).toBe('breached');
    expect(iso(breached.sla_breached_at)).toBe(iso(breached.first_contact_due_at));
  });
});
