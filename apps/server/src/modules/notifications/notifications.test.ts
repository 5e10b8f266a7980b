import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, withTenant } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { notify, type NoteInput } from './notify.js';

let t: TestApp;
let admin: Session;
let manager: Session;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.login('admin');
  manager = await t.login('sha01.manager');
});
afterAll(() => t.stop());

const tenantId = () => admin.me.tenant.id;
const send = (notes: NoteInput[]) => withTenant(t.database.db, tenantId(), (tx) => notify(tx, tenantId(), notes));
const get = (who: Session, url: string) => t.app.inject({ method: 'GET', url, headers: who.headers() });
const post = (who: Session, url: string) => t.app.inject({ method: 'POST', url, headers: who.headers(true) });
const unread = async (who: Session) => (await get(who, '/api/notifications/unread-count')).json().count as number;

describe('notification centre', () => {
  it('when notes are sent, then each user sees only their own, newest first, and reads them one by one or all at once', async () => {
    await send([
      { userId: admin.me.user.id, kind: 'lead.assigned', title: '新线索：张先生', body: '来源：汽车之家', link: '/leads/1' },
      { userId: manager.me.user.id, kind: 'lead.sla_breached', title: '线索超时未联系' },
    ]);
    await send([{ userId: admin.me.user.id, kind: 'task.overdue', title: '任务逾期' }]);

    expect(await unread(admin)).toBe(2);
    expect(await unread(manager)).toBe(1);
    const mine = (await get(admin, '/api/notifications')).json();
    expect(mine.items.map((n: { title: string }) => n.title)).toEqual(['任务逾期', '新线索：张先生']);
    expect(mine.items[1]).toMatchObject({ kind: 'lead.assigned', body: '来源：汽车之家', link: '/leads/1', readAt: null });
    const theirs = (await get(manager, '/api/notifications')).json();
    expect(theirs.items.map((n: { title: string }) => n.title)).toEqual(['线索超时未联系']);

    // Someone else's notification is not found, and stays unread.
    const foreign = await post(manager, `/api/notifications/${mine.items[0].id}/read`);
    expect(foreign.statusCode).toBe(404);
    expect(await unread(admin)).toBe(2);

    const read = await post(admin, `/api/notifications/${mine.items[0].id}/read`);
    expect(read.statusCode).toBe(200);
    expect(read.json().readAt).not.toBeNull();
    expect(await unread(admin)).toBe(1);
    const onlyUnread = (await get(admin, '/api/notifications?unread=1')).json();
    expect(onlyUnread.items.map((n: { title: string }) => n.title)).toEqual(['新线索：张先生']);
    // Reading twice keeps the first read time.
    const again = await post(admin, `/api/notifications/${mine.items[0].id}/read`);
    expect(again.json().readAt).toBe(read.json().readAt);

    const all = await post(admin, '/api/notifications/read-all');
    expect(all.json()).toEqual({ updated: 1 });
    expect(await unread(admin)).toBe(0);
    expect(await unread(manager)).toBe(1);
  });

  it('when the list is longer than a page, then the cursor walks it without repeats', async () => {
    await send(Array.from({ length: 5 }, (_, i) => ({ userId: manager.me.user.id, kind: 'test.page', title: `第 ${i} 条` })));
    const first = (await get(manager, '/api/notifications?limit=4')).json();
    expect(first.items).toHaveLength(4);
    expect(first.nextCursor).toBeTruthy();
    const second = (await get(manager, `/api/notifications?limit=4&cursor=${first.nextCursor}`)).json();
    const ids = [...first.items, ...second.items].map((n: { id: string }) => n.id);
    expect(new Set(ids).size).toBe(6);
    expect(second.nextCursor).toBeNull();
    const bad = await get(manager, '/api/notifications?cursor=nonsense');
    expect(bad.statusCode).toBe(400);
  });

  it('when the business transaction rolls back, then no notification is left behind', async () => {
    await expect(
      withTenant(t.database.db, tenantId(), async (tx) => {
        await notify(tx, tenantId(), [{ userId: admin.me.user.id, kind: 'lead.assigned', title: '不会出现' }]);
        throw new Error('business write failed');
      }),
    ).rejects.toThrow('business write failed');
    const rows = await rowsOf<{ n: number }>(t.database.db, sql`select count(*)::int as n from notifications where title = '不会出现'`);
    expect(rows[0]!.n).toBe(0);
  });

  it('when nobody is signed in, then the notification routes answer 401; writes need the CSRF token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/notifications/unread-count' })).statusCode).toBe(401);
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/notifications/read-all', headers: admin.headers() });
    expect(noCsrf.statusCode).toBe(403);
  });
});
