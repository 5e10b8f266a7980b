import type { Notification, NotificationQuery } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf, toCount } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';

export interface NotificationRow {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  read_at: Date | string | null;
  created_at: Date | string;
}

export const NOTIFICATION_COLUMNS = sql`id, kind, title, body, link, read_at, created_at`;

const iso = (v: Date | string) => new Date(v).toISOString();

export const toNotification = (r: NotificationRow): Notification => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  body: r.body,
  link: r.link,
  readAt: r.read_at === null ? null : iso(r.read_at),
  createdAt: iso(r.created_at),
});

/** Notifications are a user's own: an API key acts for no user, so it has none. */
export function ownerOf(ctx: UseCaseContext): string {
  if (!ctx.auth.userId) throw new AppError('FORBIDDEN', 'notifications: an API key has no notifications; sign in as a user.');
  return ctx.auth.userId;
}

/** The caller's notifications, newest first; `unread=1` for unread ones only. */
export async function listNotifications(ctx: UseCaseContext, query: NotificationQuery) {
  const userId = ownerOf(ctx);
  const after = decodeCursor(query.cursor, 2);
  const unread = query.unread === '1' || query.unread === 'true';
  // The cursor keeps created_at as PostgreSQL's own text (microseconds): a JS Date has milliseconds, and rows
  // written in one statement share a microsecond timestamp that a millisecond cursor would skip.
  const rows = await rowsOf<NotificationRow & { created_key: string }>(
    ctx.tx,
    sql`select ${NOTIFICATION_COLUMNS}, created_at::text as created_key from notifications
        where tenant_id = ${ctx.auth.tenantId}::uuid and user_id = ${userId}::uuid
          ${unread ? sql`and read_at is null` : sql``}
          ${after ? sql`and (created_at, id) < (${String(after[0])}::timestamptz, ${String(after[1])}::uuid)` : sql``}
        order by created_at desc, id desc
        limit ${query.limit + 1}`,
  );
  const page = pageFrom(rows, query.limit, (r) => [r.created_key, r.id]);
  return { items: page.items.map(toNotification), nextCursor: page.nextCursor };
}

/** What the bell shows. */
export async function countUnreadNotifications(ctx: UseCaseContext): Promise<number> {
  const userId = ownerOf(ctx);
  const [row] = await rowsOf<{ n: unknown }>(
    ctx.tx,
    sql`select count(*) as n from notifications
        where tenant_id = ${ctx.auth.tenantId}::uuid and user_id = ${userId}::uuid and read_at is null`,
  );
  return toCount(row?.n);
}
