import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { leadFixture, type LeadFixture } from '../../test/lifecycle-leads.js';
import { runTaskOverdueSweep } from './task-overdue-job.js';

let t: TestApp;
let f: LeadFixture;
let sales: Session;
let sales2: Session;
let manager: Session;
let otherSales: Session;

beforeAll(async () => {
  t = await startTestApp();
  f = await leadFixture(t);
  sales = await t.login('sha01.sales1');
  sales2 = await t.login('sha01.sales2');
  manager = await t.login('sha01.manager');
  otherSales = await t.login('hgh01.sales1');
}, 60_000);
afterAll(() => t.stop());

const post = (who: Session, url: string, payload: unknown = {}) =>
  t.app.inject({ method: 'POST', url, headers: who.headers(true), payload: payload as Record<string, unknown> });
const get = (who: Session, url: string) => t.app.inject({ method: 'GET', url, headers: who.headers() });
const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((i) => i.id);

describe('tasks', () => {
  it('when a consultant adds tasks, then my list filters by due today and overdue, soonest first, and complete closes a task once', async () => {
    const lead = await f.makeLead({ stage: 'contacted', name: '周杰' });
    const dueNow = new Date(Date.now() - 1_000).toISOString();
    const dueLater = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const a = await post(sales, '/api/tasks', { leadId: lead.id, title: '发送报价单', dueAt: dueLater });
    const b = await post(sales, '/api/tasks', { leadId: lead.id, title: '确认到店时间', dueAt: dueNow });
    expect(a.statusCode).toBe(201);
    expect(b.json()).toMatchObject({
      type: 'custom',
      title: '确认到店时间',
      customerName: '周杰',
      ownerUserId: f.userId('sha01.sales1'),
      status: 'open',
      overdue: true,
    });

    const mine = await get(sales, `/api/tasks?owner=me&leadId=${lead.id}`);
    expect(ids(mine)).toEqual([b.json().id, a.json().id]);
    expect(ids(await get(sales, `/api/tasks?owner=me&due=today&leadId=${lead.id}`))).toEqual([b.json().id]);
    expect(ids(await get(sales, `/api/tasks?due=overdue&leadId=${lead.id}`))).toEqual([b.json().id]);
    const page = await get(sales, `/api/tasks?leadId=${lead.id}&limit=1`);
    expect(ids(await get(sales, `/api/tasks?leadId=${lead.id}&limit=1&cursor=${page.json().nextCursor}`))).toEqual([a.json().id]);

    const done = await post(sales, `/api/tasks/${b.json().id}/complete`);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'done', overdue: false });
    expect(done.json().doneAt).not.toBeNull();
    const twice = await post(sales, `/api/tasks/${b.json().id}/complete`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.details.rule).toBe('task_not_open');
    expect(ids(await get(sales, `/api/tasks?status=open&leadId=${lead.id}`))).toEqual([a.json().id]);
  });

  it('when others look, then a colleague and another store see none of my tasks, and my store manager sees them all', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    const task = await post(sales, '/api/tasks', { leadId: lead.id, title: '回访', dueAt: new Date(Date.now() + 3_600_000).toISOString() });
    const id = task.json().id as string;
    expect(ids(await get(sales2, '/api/tasks'))).not.toContain(id);
    expect(ids(await get(otherSales, '/api/tasks'))).not.toContain(id);
    expect(ids(await get(otherSales, `/api/tasks?owner=${f.userId('sha01.sales1')}`))).toEqual([]);
    expect(ids(await get(manager, `/api/tasks?owner=${f.userId('sha01.sales1')}&leadId=${lead.id}`))).toEqual([id]);
    expect((await post(otherSales, `/api/tasks/${id}/complete`)).statusCode).toBe(404);
  });

  it('when a consultant names another owner, then 403; a manager may give the task to a consultant of the store', async () => {
    const lead = await f.makeLead({ stage: 'contacted' });
    const dueAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await post(sales, '/api/tasks', { leadId: lead.id, title: '回访', dueAt, ownerUserId: f.userId('sha01.sales2') });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/^ownerUserId: /);
    const byManager = await post(manager, '/api/tasks', {
      leadId: lead.id,
      title: '陪同试驾',
      dueAt,
      ownerUserId: f.userId('sha01.sales2'),
    });
    expect(byManager.statusCode).toBe(201);
    expect(byManager.json().ownerUserId).toBe(f.userId('sha01.sales2'));
    const outside = await post(manager, '/api/tasks', { leadId: lead.id, title: 'x', dueAt, ownerUserId: f.userId('hgh01.sales1') });
    expect(outside.statusCode).toBe(404);
  });

  it('when a task passes its due time, then the overdue job tells its owner once (notification and task.overdue)', async () => {
    const lead = await f.makeLead({ stage: 'contacted', name: '吴敏' });
    const late = await post(sales, '/api/tasks', {
      leadId: lead.id,
      title: '电话回访',
      dueAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const future = await post(sales, '/api/tasks', {
      leadId: lead.id,
      title: '以后再说',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(await runTaskOverdueSweep(t.database)).toBeGreaterThanOrEqual(1);
    const notes = await rowsOf<{ title: string; link: string; kind: string }>(
      t.database.db,
      sql`select title, link, kind from notifications where user_id = ${f.userId('sha01.sales1')}::uuid and kind = 'task.overdue'`,
    );
    expect(notes.filter((n) => n.title.includes('电话回访'))).toEqual([
      { title: '任务逾期：电话回访 · 吴敏', link: `/leads/${lead.id}`, kind: 'task.overdue' },
    ]);
    expect(notes.some((n) => n.title.includes('以后再说'))).toBe(false);
    const [flags] = await rowsOf<{ late: Date | null; future: Date | null }>(
      t.database.db,
      sql`select (select overdue_notified_at from tasks where id = ${late.json().id}::uuid) as late,
                 (select overdue_notified_at from tasks where id = ${future.json().id}::uuid) as future`,
    );
    expect(flags!.late).not.toBeNull();
    expect(flags!.future).toBeNull();
    expect(await runTaskOverdueSweep(t.database)).toBe(0);
  });
});
