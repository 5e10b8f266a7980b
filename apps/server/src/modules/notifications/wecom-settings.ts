import type { UpdateWecomSettings, WecomMessage, WecomSettings } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict } from '../../platform/errors.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { auditAction } from '../audit/record-audit.js';
import { textArray } from './sql-helpers.js';

/** Which notification kinds the tenant also sends to WeCom; a tenant without a row forwards none. */
export async function getWecomSettings(ctx: UseCaseContext, mode: WecomSettings['mode']): Promise<WecomSettings> {
  const [row] = await rowsOf<{ wecom_kinds: string[]; version: number }>(
    ctx.tx,
    sql`select wecom_kinds, version from notification_settings where tenant_id = ${ctx.auth.tenantId}::uuid`,
  );
  return { mode, kinds: row?.wecom_kinds ?? [], version: row?.version ?? 1 };
}

export async function updateWecomSettings(
  ctx: UseCaseContext,
  mode: WecomSettings['mode'],
  input: UpdateWecomSettings,
): Promise<WecomSettings> {
  const before = await getWecomSettings(ctx, mode);
  if (before.version !== input.version)
    throw conflict(`version: someone changed these settings meanwhile (now version ${before.version}); reload and try again.`);
  const kinds = [...new Set(input.kinds)];
  const [row] = await rowsOf<{ wecom_kinds: string[]; version: number }>(
    ctx.tx,
    sql`insert into notification_settings (tenant_id, wecom_kinds, version, updated_by)
        values (${ctx.auth.tenantId}::uuid, ${textArray(kinds)}, ${input.version + 1}, ${ctx.auth.userId}::uuid)
        on conflict (tenant_id) do update set wecom_kinds = excluded.wecom_kinds, updated_by = excluded.updated_by,
          version = notification_settings.version + 1, updated_at = now()
        where notification_settings.version = ${input.version}
        returning wecom_kinds, version`,
  );
  if (!row) throw conflict('version: someone changed these settings meanwhile; reload and try again.');
  await auditAction(ctx, {
    action: 'settings.wecom_updated',
    targetType: 'tenant',
    targetId: ctx.auth.tenantId,
    details: { before: before.kinds, after: kinds },
  });
  return { mode, kinds: row.wecom_kinds, version: row.version };
}

interface MessageRow {
  id: string;
  kind: string;
  to_user_ids: string[];
  text: string;
  status: WecomMessage['status'];
  mode: string | null;
  error: string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
}

/** The WeCom outbox, newest first: in sandbox mode, what would have been sent. */
export async function listWecomMessages(ctx: UseCaseContext, query: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor(query.cursor, 2);
  const rows = await rowsOf<MessageRow>(
    ctx.tx,
    sql`select id, kind, to_user_ids, text, status, mode, error, created_at, sent_at from wecom_messages
        where tenant_id = ${ctx.auth.tenantId}::uuid
          ${after ? sql`and (created_at, id) < (${String(after[0])}::timestamptz, ${String(after[1])}::uuid)` : sql``}
        order by created_at desc, id desc limit ${query.limit + 1}`,
  );
  const page = pageFrom(rows, query.limit, (r) => [new Date(r.created_at).toISOString(), r.id]);
  return {
    items: page.items.map((r): WecomMessage => ({
      id: r.id,
      kind: r.kind,
      toUserIds: r.to_user_ids,
      text: r.text,
      status: r.status,
      mode: r.mode,
      error: r.error,
      createdAt: new Date(r.created_at).toISOString(),
      sentAt: r.sent_at === null ? null : new Date(r.sent_at).toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}
