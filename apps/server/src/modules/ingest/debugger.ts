import type { DebuggerEntry } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { getSource } from './sources.js';

/** The latest messages of a source, newest first: stored events, messages still in the log, and rejections with their reasons. */
export async function latestMessages(ctx: UseCaseContext, sourceId: string, limit: number): Promise<{ items: DebuggerEntry[] }> {
  await getSource(ctx, sourceId);
  const t = ctx.auth.tenantId;
  const rows = await rowsOf<{
    at: Date | string;
    status: DebuggerEntry['status'];
    type: string | null;
    name: string | null;
    message_id: string | null;
    reason: string | null;
    message: string | null;
    payload: unknown;
  }>(
    ctx.tx,
    sql`(select received_at as at, 'accepted' as status, type, name, message_id, null as reason, null as message,
                jsonb_build_object('type', type, 'event', name, 'messageId', message_id, 'timestamp', timestamp, 'originalTimestamp', original_timestamp,
                                   'properties', properties, 'context', context) as payload
           from events where tenant_id = ${t}::uuid and source_id = ${sourceId}::uuid order by received_at desc limit ${limit})
        union all
        (select received_at, 'pending', null, null, message_id, null, null, null
           from inbound_log where tenant_id = ${t}::uuid and source_id = ${sourceId}::uuid order by seq desc limit ${limit})
        union all
        (select received_at, 'rejected', payload->>'type', coalesce(payload->>'event', payload->>'name'), payload->>'messageId', reason, message, payload
           from rejected_messages where tenant_id = ${t}::uuid and source_id = ${sourceId}::uuid order by received_at desc limit ${limit})
        order by at desc limit ${limit}`,
  );
  return {
    items: rows.map((r) => ({
      at: new Date(r.at).toISOString(),
      status: r.status,
      type: r.type,
      name: r.name,
      messageId: r.message_id,
      reason: r.reason,
      message: r.message,
      payload: r.payload,
    })),
  };
}
