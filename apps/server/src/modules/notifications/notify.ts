import { sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { sqlUuidv7 } from './sql-helpers.js';

/** The kind of the alert a webhook's creator gets when one of its deliveries is dead. */
export const WEBHOOK_DEAD_KIND = 'webhook.dead';

/** One notification for one user. `link` is a console path such as `/leads/<id>`. */
export interface NoteInput {
  userId: string;
  kind: string;
  title: string;
  body?: string;
  link?: string;
}

/**
 * Notifies users inside the caller's transaction, in one statement: the in-app notifications, a
 * `notification.created` delivery for every webhook subscribed to it (ids, kind and link only, no
 * text: titles may name customers), and a WeCom app message for kinds the tenant forwards there.
 * Everything is an outbox row, so nothing is shown or sent unless the business change commits.
 * A dead webhook's own alert (`webhook.dead`) is never sent to webhooks: it could feed on itself.
 */
export async function notify(tx: Tx, tenantId: string, notes: NoteInput[]): Promise<void> {
  if (notes.length === 0) return;
  const rows = notes.map((n) => ({
    id: uuidv7(),
    user_id: n.userId,
    kind: n.kind,
    title: n.title.slice(0, 500),
    body: n.body?.slice(0, 4000) ?? null,
    link: n.link ?? null,
  }));
  await tx.execute(sql`
    with input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(id uuid, user_id uuid, kind text, title text, body text, link text)
    ),
    n as (
      insert into notifications (tenant_id, id, user_id, kind, title, body, link)
      select ${tenantId}::uuid, id, user_id, kind, title, body, link from input
      returning id, user_id, kind, link, created_at
    ),
    hooks as (
      insert into webhook_deliveries (tenant_id, id, webhook_id, event_type, payload)
      select w.tenant_id, ${sqlUuidv7}, w.id, 'notification.created',
             jsonb_build_object('notificationId', n.id, 'userId', n.user_id, 'kind', n.kind, 'link', n.link, 'createdAt', n.created_at)
      from n cross join webhooks w
      where w.tenant_id = ${tenantId}::uuid and w.active and 'notification.created' = any(w.event_types)
        and n.kind <> ${WEBHOOK_DEAD_KIND}
      returning 1
    ),
    wecom as (
      insert into wecom_messages (tenant_id, id, notification_id, kind, to_user_ids, text)
      select ${tenantId}::uuid, ${sqlUuidv7}, n.id, n.kind, array[u.login],
             i.title || coalesce(E'\n' || i.body, '') || coalesce(E'\n' || i.link, '')
      from n
      join input i on i.id = n.id
      join users u on u.tenant_id = ${tenantId}::uuid and u.id = n.user_id
      where n.kind = any(coalesce((select s.wecom_kinds from notification_settings s where s.tenant_id = ${tenantId}::uuid), '{}'::text[]))
      returning 1
    )
    select (select count(*) from n) as notified`);
}
