import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db.js';
import { rowsOf } from '../../platform/db.js';

/**
 * WeCom (企业微信) application messages to staff. A real implementation would call
 * `message/send` with an agent id and an access token; only the sandbox exists so far.
 */
export interface WecomMessenger {
  readonly mode: string;
  /** `toUserIds` are WeCom userids of staff (Forecourt sends the user's login). */
  sendText(toUserIds: string[], text: string): Promise<{ ok: boolean; error?: string }>;
}

/** Sends nothing: remembers each message, so tests and the console can show what would have gone out. */
export class SandboxWecomMessenger implements WecomMessenger {
  readonly mode = 'sandbox';
  readonly sent: { toUserIds: string[]; text: string; at: Date }[] = [];

  async sendText(toUserIds: string[], text: string): Promise<{ ok: boolean; error?: string }> {
    if (toUserIds.length === 0) return { ok: false, error: 'no recipients' };
    this.sent.push({ toUserIds, text, at: new Date() });
    if (this.sent.length > 1000) this.sent.splice(0, this.sent.length - 1000);
    return { ok: true };
  }
}

export function createWecomMessenger(mode: 'sandbox'): WecomMessenger {
  switch (mode) {
    case 'sandbox':
      return new SandboxWecomMessenger();
  }
}

/** A message that failed this many times stays `failed` (visible in the console) and is not tried again. */
export const WECOM_MAX_ATTEMPTS = 3;

/**
 * Sends queued WeCom messages of every tenant through `messenger`. Rows are claimed with SKIP LOCKED
 * and pushed 60 s ahead while the call is in flight, so parallel workers never send one twice and no
 * transaction stays open across the network call.
 */
export async function sendQueuedWecomMessages(
  database: Database,
  messenger: WecomMessenger,
  opts: { limit?: number } = {},
): Promise<{ sent: number; failed: number }> {
  const claimed = await rowsOf<{ tenant_id: string; id: string; to_user_ids: string[]; text: string; attempts: number }>(
    database.db,
    sql`with due as (
          select tenant_id, id from wecom_messages
          where status = 'queued' and next_attempt_at <= now()
          order by next_attempt_at limit ${opts.limit ?? 100}
          for update skip locked)
        update wecom_messages m set attempts = m.attempts + 1, next_attempt_at = now() + interval '60 seconds'
        from due where m.tenant_id = due.tenant_id and m.id = due.id
        returning m.tenant_id, m.id, m.to_user_ids, m.text, m.attempts`,
  );
  let sent = 0;
  let failed = 0;
  for (const row of claimed) {
    const result = await messenger.sendText(row.to_user_ids, row.text).catch((err: unknown) => ({ ok: false, error: String(err) }));
    if (result.ok) sent += 1;
    else failed += 1;
    const status = result.ok ? 'sent' : row.attempts >= WECOM_MAX_ATTEMPTS ? 'failed' : 'queued';
    await database.db.execute(sql`
      update wecom_messages set status = ${status}, mode = ${messenger.mode}, error = ${result.ok ? null : (result.error ?? 'failed')},
        sent_at = ${result.ok ? sql`now()` : null}
      where tenant_id = ${row.tenant_id}::uuid and id = ${row.id}::uuid`);
  }
  return { sent, failed };
}
