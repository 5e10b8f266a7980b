import type { Notification } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { NOTIFICATION_COLUMNS, ownerOf, toNotification, type NotificationRow } from './list-notifications.js';

/** Marks one of the caller's notifications read (again is harmless: the first read time stays). */
export async function markNotificationRead(ctx: UseCaseContext, id: string): Promise<Notification> {
  const userId = ownerOf(ctx);
  const [row] = await rowsOf<NotificationRow>(
    ctx.tx,
    sql`update notifications set read_at = coalesce(read_at, now())
        where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid and user_id = ${userId}::uuid
        returning ${NOTIFICATION_COLUMNS}`,
  );
  if (!row) throw notFound('Notification');
  return toNotification(row);
}

/** Marks all of the caller's unread notifications read; answers how many changed. */
export async function markAllNotificationsRead(ctx: UseCaseContext): Promise<number> {
  const userId = ownerOf(ctx);
  const rows = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`update notifications set read_at = now()
        where tenant_id = ${ctx.auth.tenantId}::uuid and user_id = ${userId}::uuid and read_at is null
        returning id`,
  );
  return rows.length;
}
