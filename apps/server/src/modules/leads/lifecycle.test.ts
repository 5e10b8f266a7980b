import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { leadFixture, type LeadFixture } from '../../test/lifecycle-leads.js';
import { sweepDormantLeads } from './dormancy.js';

let t: TestApp;
let f: LeadFixture;
let admin: Session;
let sales: Session; // sha01.sales1, owner of the fixture's leads
let sales2: Session; // sha01.sales2: same store, not the owner
let manager: Session; // sha01.manager
let otherSales: Session; // hgh01.sales1: another store
let otherManager: Session; // hgh01.manager

beforeAll(async () => {
  t = await startTestApp();
  f = await leadFixture(t);
  admin = await t.login('admin');
  sales = await t.login('sha01.sales1');
  sales2 = await t.login('sha01.sales2');
  manager = await t.login('sha01.manager');
  otherSales = await t.login('hgh01.sales1');
  otherManager = await t.login('hgh01.manager');
}, 60_000);
afterAll(() => t.stop());

const post = (who: Session, url: string, payload: unknown = {}) =>
  t.app.inject({ method: 'POST', url, headers: who.headers(true), payload: payload as Record<string, unknown> });
const patch = (who: Session, url: string, payload: unknown) =>
  t.app.inject({ method: 'PATCH', url, headers: who.headers(true), payload: payload as Record<string, unknown> });
const get = (who: Session, url: string) => t.app.inject({ method: 'GET', url, headers: who.headers() });

async function leadRow(id: string) {
  const [row] = await rowsOf<{
    stage: string;
    furthest_stage: string;
    version: number;
    lost_reason: string | null;
    sla_state: string;
    first_contact_at: Date | null;
  }>(t.database.db, sql`select stage, furthest_stage, version, lost_reason, sla_state, first_contact_at from leads where id = ${id}::uuid`);
  return row!;
}
const stageChanges = (id: string) =>
  rowsOf<{ from_stage: string; to_stage: string; reason: string }>(
    t.database.db,
    sql`select from_stage, to_stage, reason from lead_stage_changes where lead_id = ${id}::uuid order by at, id`,
  );
const tasksOf = (id: string) =>
  rowsOf<{ type: string; status: string; due_at: Date; owner_user_id: string }>(
    t.database.db,
    sql`select type, status, due_at, owner_user_id from tasks where lead_id = ${id}::uuid order by created_at, id`,
  );

describe('activities', () => {
  it('when a consultant logs a connected outbound call on a new lead, then first contact is met, the lead is contacted and the timeline shows the call', async () => {
    const lead = await f.makeLead();
    const res = await post(sales, `/api/leads/${lead.id}/activities`, {
      type: 'call',
      direction: 'outbound',
      outcome: 'connected',
      durationSec: 95,
      note: '客户下周末有空',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      activity: { type: 'call', outcome: 'connected', durationSec: 95 },
      lead: { stage: 'contacted', version: 2 },
    });
    const row = await leadRow(lead.id);
    expect(row).toMatchObject({ stage: 'contacted', furthest_stage: 'contacted', sla_state: 'met' });
    expect(row.first_contact_at).not.toBeNull();
    expect(await stageChanges(lead.id)).toEqual([{ from_stage: 'new', to_stage: 'contacted', reason: 'activity' }]);

    const timeline = await get(admin, `/api/customers/${lead.profileId}/timeline`);
    const entries = timeline.json().items as { type: string; name: string; properties: Record<string, unknown> }[];
    const call = entries.find((e) => e.name === 'call');
    expect(call).toMatchObject({ type: 'lead', properties: { leadId: lead.id, outcome: 'connected', direction: 'outbound' } });
    // The note is the consultant's text: it stays on the activity, not on the timeline.
    expect(JSON.stringify(entries)).not.toContain('客户下周末有空');
    expect(entries.some((e) => e.name === 'stage:contacted')).toBe(true);
  });

  it('when an outbound call goes unanswered, then first contact is marked but the lead stays new', async () => {
    const lead = await f.makeLead();
    const res = await post(sales, `/api/leads/${lead.id}/activities`, { type: 'call', direction: 'outbound', outcome: 'no_answer' });
    expect(res.statusCode).toBe(201);
    expect(await leadRow(lead.id)).toMatchObject({ stage: 'new', sla_state: 'met', version: 1 });
    // A WeCom reply from the customer is a two-way contact.
    const reply = await post(sales, `/api/leads/${lead.id}/activities`, { type: 'message', channel: 'wecom', direction: 'inbound' });
    expect(reply.json().lead.stage).toBe('contacted');
  });

  it('when an appointment is booked, then the lead is 已邀约 and a reminder is due the day before; marking it done closes the reminder', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    const scheduledAt = new Date(Date.now() + 3 * 86_400_000);
    const res = await post(sales, `/api/leads/${lead.id}/activities`, {
      type: 'appointment',
      kind: 'test_drive',
      scheduledAt: scheduledAt.toISOString(),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.lead.stage).toBe('appointment');
    expect(body.tasks).toHaveLength(1);
    expect(body.tasks[0]).toMatchObject({ type: 'appointment_reminder', ownerUserId: f.userId('sha01.sales1'), status: 'open' });
    expect(new Date(body.tasks[0].dueAt).getTime()).toBe(scheduledAt.getTime() - 86_400_000);

    const done = await patch(sales, `/api/leads/${lead.id}/activities/${body.activity.id}`, { status: 'done' });
    expect(done.statusCode).toBe(200);
    expect(done.json().status).toBe('done');
    expect((await tasksOf(lead.id)).map((x) => x.status)).toEqual(['done']);
    const again = await patch(sales, `/api/leads/${lead.id}/activities/${body.activity.id}`, { status: 'no_show' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details.rule).toBe('appointment_not_scheduled');
  });

  it('when a test drive is logged without a visit, then the visit is recorded too, the lead is 已试驾 and a callback is due 30 minutes later', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    const at = new Date(Date.now() - 60_000);
    const res = await post(sales, `/api/leads/${lead.id}/activities`, {
      type: 'test_drive',
      model: '星驰 S7 四驱版',
      durationMin: 25,
      feedbackScore: 4,
      consentSigned: true,
      at: at.toISOString(),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.lead).toMatchObject({ stage: 'test_drive', furthestStage: 'test_drive' });
    expect(body.tasks).toHaveLength(1);
    expect(body.tasks[0]).toMatchObject({ type: 'test_drive_callback', ownerUserId: f.userId('sha01.sales1') });
    expect(new Date(body.tasks[0].dueAt).getTime()).toBe(at.getTime() + 30 * 60_000);
    expect(await stageChanges(lead.id)).toEqual([
      { from_stage: 'contacted', to_stage: 'visited', reason: 'activity' },
      { from_stage: 'visited', to_stage: 'test_drive', reason: 'activity' },
    ]);
    const list = await get(sales, `/api/leads/${lead.id}/activities`);
    const items = list.json().items as { type: string; details: Record<string, unknown> }[];
    expect(items.map((i) => i.type).sort()).toEqual(['test_drive', 'visit']);
    expect(items.find((i) => i.type === 'visit')!.details.impliedBy).toBe(body.activity.id);

    // A second test drive finds the visit and records no other.
    await post(sales, `/api/leads/${lead.id}/activities`, { type: 'test_drive', model: '星驰 S5', consentSigned: true });
    const after = (await get(sales, `/api/leads/${lead.id}/activities`)).json().items as { type: string }[];
    expect(after.filter((i) => i.type === 'visit')).toHaveLength(1);
  });

  it('when the test-drive consent is not signed, then 400 names consentSigned', async () => {
    const lead = await f.makeLead({ stage: 'visited' });
    const res = await post(sales, `/api/leads/${lead.id}/activities`, { type: 'test_drive', model: '星驰 S7', consentSigned: false });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^body\.consentSigned: /);
  });

  it('when an activity is logged in the future, then 400 names at; activities list newest first', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    const future = await post(sales, `/api/leads/${lead.id}/activities`, {
      type: 'note',
      note: 'x',
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.message).toMatch(/^at: /);
    await post(sales, `/api/leads/${lead.id}/activities`, {
      type: 'note',
      note: '第一条',
      at: new Date(Date.now() - 120_000).toISOString(),
    });
    await post(sales, `/api/leads/${lead.id}/activities`, { type: 'note', note: '第二条' });
    const list = await get(sales, `/api/leads/${lead.id}/activities?limit=1`);
    expect(list.json().items.map((i: { note: string }) => i.note)).toEqual(['第二条']);
    const next = await get(sales, `/api/leads/${lead.id}/activities?limit=1&cursor=${list.json().nextCursor}`);
    expect(next.json().items.map((i: { note: string }) => i.note)).toEqual(['第一条']);
  });

  it('when a visit is logged on a lead already at 小定, then the stage does not go back', async () => {
    const lead = await f.makeLead({ stage: 'deposit' });
    const res = await post(sales, `/api/leads/${lead.id}/activities`, { type: 'visit', partySize: 2 });
    expect(res.statusCode).toBe(201);
    expect(res.json().lead.stage).toBe('deposit');
    expect(await stageChanges(lead.id)).toEqual([]);
  });
});

describe('moving stages by hand', () => {
  it('when a move lacks its facts, goes backwards or skips the lost approval, then 409 names the rule', async () => {
    const lead = await f.makeLead();
    const move = (stage: string, version: number) => post(sales, `/api/leads/${lead.id}/stage`, { stage, version });
    const cases: [string, string][] = [
      ['contacted', 'contact_needs_two_way'],
      ['appointment', 'appointment_needs_booking'],
      ['visited', 'visit_needs_check_in'],
      ['test_drive', 'test_drive_needs_record'],
      ['deposit', 'deposit_needs_amount'],
      ['order', 'order_needs_model_and_trim'],
      ['delivered', 'delivery_needs_valid_vin'],
      ['lost', 'lost_needs_approval'],
    ];
    for (const [stage, rule] of cases) {
      const res = await move(stage, 1);
      expect(res.statusCode, stage).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'CONFLICT', details: { rule } });
      expect(res.json().error.message.length).toBeGreaterThan(20);
    }
    expect((await leadRow(lead.id)).stage).toBe('new');

    // With the facts on record (a connected call), the move to contacted is allowed.
    const walkedIn = await f.makeLead();
    await post(sales, `/api/leads/${walkedIn.id}/activities`, { type: 'visit' });
    const back = await post(sales, `/api/leads/${walkedIn.id}/stage`, { stage: 'contacted', version: 2 });
    expect(back.statusCode).toBe(409);
    expect(back.json().error.details.rule).toBe('no_going_back');
    expect(back.json().error.message).toContain('已到店 (visited)');
    const dormant = await post(sales, `/api/leads/${walkedIn.id}/stage`, { stage: 'dormant', version: 2 });
    expect(dormant.statusCode).toBe(200);
    expect(dormant.json()).toMatchObject({ stage: 'dormant', furthestStage: 'visited', version: 3 });
    const stuck = await post(sales, `/api/leads/${walkedIn.id}/stage`, { stage: 'test_drive', version: 3 });
    expect(stuck.json().error.details.rule).toBe('reopen_first');
  });

  it('when the version is stale, then 409 stale_version and nothing changes', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    await post(sales, `/api/leads/${lead.id}/activities`, { type: 'visit' }); // version 1 → 2
    const res = await post(sales, `/api/leads/${lead.id}/stage`, { stage: 'dormant', version: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details).toMatchObject({ rule: 'stale_version', current: 2 });
    const activity = await post(sales, `/api/leads/${lead.id}/activities`, { type: 'note', note: 'x', version: 1 });
    expect(activity.statusCode).toBe(409);
    expect(activity.json().error.details.rule).toBe('stale_version');
    expect(await leadRow(lead.id)).toMatchObject({ stage: 'visited', version: 2 });
  });

  it('when a delivered lead is moved, then lead_delivered; when an open lead is reopened, then not_closed', async () => {
    const delivered = await f.makeLead({ stage: 'delivered' });
    const res = await post(sales, `/api/leads/${delivered.id}/stage`, { stage: 'dormant', version: 1 });
    expect(res.json().error.details.rule).toBe('lead_delivered');
    const open = await f.makeLead({ stage: 'visited' });
    const reopen = await post(sales, `/api/leads/${open.id}/reopen`, { version: 1 });
    expect(reopen.statusCode).toBe(409);
    expect(reopen.json().error.details.rule).toBe('not_closed');
  });
});

describe('lost requests (战败申请)', () => {
  it('when a consultant asks and the manager approves, then the lead is lost with the reason, its open tasks are cancelled and both steps are on record', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    await post(sales, `/api/leads/${lead.id}/activities`, { type: 'test_drive', model: '星驰 S7', consentSigned: true });
    const asked = await post(sales, `/api/leads/${lead.id}/lost-requests`, { reason: 'bought_competitor', note: '已订竞品' });
    expect(asked.statusCode).toBe(201);
    expect(asked.json()).toMatchObject({ status: 'pending', reason: 'bought_competitor', leadStage: 'test_drive' });
    const twice = await post(sales, `/api/leads/${lead.id}/lost-requests`, { reason: 'price' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.details.rule).toBe('lost_request_pending');

    // Consultants cannot see the queue; a manager of another store does not see this request.
    expect((await get(sales, '/api/lost-requests')).statusCode).toBe(403);
    expect((await get(otherManager, '/api/lost-requests')).json().items.map((r: { id: string }) => r.id)).not.toContain(asked.json().id);
    expect((await post(otherManager, `/api/lost-requests/${asked.json().id}/approve`)).statusCode).toBe(404);
    const queue = await get(manager, '/api/lost-requests?status=pending');
    expect(queue.json().items.map((r: { id: string }) => r.id)).toContain(asked.json().id);

    const approved = await post(manager, `/api/lost-requests/${asked.json().id}/approve`, { note: '同意' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({
      request: { status: 'approved', decisionNote: '同意' },
      lead: { stage: 'lost', lostReason: 'bought_competitor' },
    });
    expect(await leadRow(lead.id)).toMatchObject({ stage: 'lost', lost_reason: 'bought_competitor', furthest_stage: 'test_drive' });
    expect((await tasksOf(lead.id)).map((x) => x.status)).toEqual(['cancelled']);

    const second = await post(manager, `/api/lost-requests/${asked.json().id}/reject`);
    expect(second.statusCode).toBe(409);
    expect(second.json().error.details.rule).toBe('already_decided');
    const audit = await rowsOf<{ action: string }>(
      t.database.db,
      sql`select action from audit_log where target_id = ${lead.id} and action like 'lost_request.%'`,
    );
    expect(audit.map((a) => a.action)).toEqual(['lost_request.approved']);

    // A lost lead takes no calls until it is reopened; reopen returns it to the furthest stage reached.
    const call = await post(sales, `/api/leads/${lead.id}/activities`, { type: 'call', direction: 'inbound', outcome: 'connected' });
    expect(call.json().error.details.rule).toBe('reopen_first');
    const version = approved.json().lead.version;
    const reopened = await post(sales, `/api/leads/${lead.id}/reopen`, { version });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({ stage: 'test_drive', lostReason: null });
  });

  it('when the manager rejects, then the lead keeps its stage and a new request may follow', async () => {
    const lead = await f.makeLead({ stage: 'appointment' });
    const asked = await post(sales, `/api/leads/${lead.id}/lost-requests`, { reason: 'postponed' });
    const rejected = await post(manager, `/api/lost-requests/${asked.json().id}/reject`, { note: '再跟进一周' });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ request: { status: 'rejected' }, lead: { stage: 'appointment' } });
    expect((await leadRow(lead.id)).stage).toBe('appointment');
    expect((await post(manager, `/api/lost-requests/${asked.json().id}/approve`)).statusCode).toBe(409);
    expect((await post(sales, `/api/leads/${lead.id}/lost-requests`, { reason: 'no_response' })).statusCode).toBe(201);
  });

  it('when a manager closes a lead directly, then it is lost and its pending request counts as approved', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    const asked = await post(sales, `/api/leads/${lead.id}/lost-requests`, { reason: 'price' });
    expect((await post(sales, `/api/leads/${lead.id}/close`, { reason: 'price', version: 1 })).statusCode).toBe(403);
    const closed = await post(manager, `/api/leads/${lead.id}/close`, { reason: 'financing_declined', version: 1 });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ stage: 'lost', lostReason: 'financing_declined' });
    const [req] = await rowsOf<{ status: string }>(
      t.database.db,
      sql`select status from lost_requests where id = ${asked.json().id}::uuid`,
    );
    expect(req!.status).toBe('approved');
  });
});

describe('data scope', () => {
  it('when a consultant of another store (or a colleague who does not own it) works the lead, then every lead endpoint answers 404', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    const appointment = await post(sales, `/api/leads/${lead.id}/activities`, {
      type: 'appointment',
      kind: 'visit',
      scheduledAt: new Date(Date.now() + 86_400_000 * 2).toISOString(),
    });
    const order = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 2000 });
    const taskId = appointment.json().tasks[0].id as string;
    const orderId = order.json().order.id as string;
    for (const who of [otherSales, sales2]) {
      const calls = [
        post(who, `/api/leads/${lead.id}/activities`, { type: 'note', note: 'x' }),
        get(who, `/api/leads/${lead.id}/activities`),
        patch(who, `/api/leads/${lead.id}/activities/${appointment.json().activity.id}`, { status: 'cancelled' }),
        post(who, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 1000 }),
        get(who, `/api/leads/${lead.id}/orders`),
        post(who, `/api/orders/${orderId}/refund`, { reason: 'x' }),
        post(who, `/api/orders/${orderId}/cancel`, { reason: 'x' }),
        post(who, `/api/orders/${orderId}/deliver`, { vin: 'LSVAU2180N2183412' }),
        post(who, `/api/leads/${lead.id}/lost-requests`, { reason: 'price' }),
        post(who, `/api/leads/${lead.id}/stage`, { stage: 'dormant', version: 1 }),
        post(who, `/api/leads/${lead.id}/reopen`, { version: 1 }),
        post(who, '/api/tasks', { leadId: lead.id, title: '回访', dueAt: new Date().toISOString() }),
        post(who, `/api/tasks/${taskId}/complete`),
      ];
      const answers = await Promise.all(calls);
      expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 404));
    }
    // The other store's manager cannot reach it either; the own store's manager can.
    expect((await get(otherManager, `/api/leads/${lead.id}/activities`)).statusCode).toBe(404);
    expect((await get(manager, `/api/leads/${lead.id}/activities`)).statusCode).toBe(200);
    expect((await leadRow(lead.id)).stage).toBe('deposit');
  });
});

describe('dormancy', () => {
  it('when an open lead has had no activity for the tenant’s dormantDays, then the job puts it to sleep; a new activity reopens it where it was', async () => {
    const idle = await f.makeLead({ stage: 'visited', lastActivityDaysAgo: 40 });
    const recent = await f.makeLead({ stage: 'contacted', lastActivityDaysAgo: 10 });
    const closed = await f.makeLead({ stage: 'lost', lastActivityDaysAgo: 90 });
    await sweepDormantLeads(t.database, f.tenantId);
    expect((await leadRow(idle.id)).stage).toBe('dormant');
    expect((await leadRow(recent.id)).stage).toBe('contacted');
    expect((await leadRow(closed.id)).stage).toBe('lost');
    expect(await stageChanges(idle.id)).toEqual([{ from_stage: 'visited', to_stage: 'dormant', reason: 'dormancy' }]);
    // Nothing left to do: a second run changes nothing.
    expect(await sweepDormantLeads(t.database, f.tenantId)).toBe(0);

    // A tenant that sets 7 days catches the 10-day lead too.
    const settings = await get(admin, '/api/lead-settings');
    const saved = await t.app.inject({
      method: 'PUT',
      url: '/api/lead-settings',
      headers: admin.headers(true),
      payload: { version: settings.json().version, settings: { ...settings.json().settings, dormantDays: 7 } },
    });
    expect(saved.statusCode).toBe(200);
    await sweepDormantLeads(t.database, f.tenantId);
    expect((await leadRow(recent.id)).stage).toBe('dormant');

    const call = await post(sales, `/api/leads/${idle.id}/activities`, { type: 'call', direction: 'inbound', outcome: 'connected' });
    expect(call.statusCode).toBe(201);
    expect(call.json().lead.stage).toBe('visited');
    expect((await stageChanges(idle.id)).map((c) => `${c.from_stage}>${c.to_stage}:${c.reason}`)).toEqual([
      'visited>dormant:dormancy',
      'dormant>visited:activity',
    ]);
  });
});
