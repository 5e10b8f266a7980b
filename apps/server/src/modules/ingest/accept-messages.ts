import { sql } from 'drizzle-orm';
import type { Keys } from '../../platform/crypto.js';
import { withTenant, type Db } from '../../platform/db.js';
import { extractIdentities } from '../identity/extract-identities.js';
import { uuidv7 } from '../../platform/ids.js';
import type { SourceCounters } from './counters.js';
import { sealMessages } from './inbound-payload.js';
import { LIMITS, validateMessage, type InboundMessage, type MessageType, type Rejection } from './segment.js';
import type { WriteKeyPrincipal } from './write-keys.js';

export interface AcceptResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

/**
 * Validate the messages of one request and write the valid ones to the inbound log as one row.
 * Returns only after the commit, so an acknowledged message survives a crash. A messageId
 * repeated inside the request is counted as a duplicate here; one seen in an earlier request is
 * dropped by the pipeline (message_ids), which keeps this path to a single insert.
 */
export async function acceptMessages(
  db: Db,
  keys: Keys,
  counters: SourceCounters,
  principal: WriteKeyPrincipal,
  raw: unknown[],
  opts: { type?: MessageType; batchSentAt?: unknown; receivedAt?: Date },
): Promise<AcceptResult> {
  const receivedAt = opts.receivedAt ?? new Date();
  const valid: InboundMessage[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  raw.forEach((item, index) => {
    const result = validateMessage(item, { type: opts.type, receivedAt, batchSentAt: opts.batchSentAt });
    if (!result.ok) {
      const messageId = typeof (item as { messageId?: unknown })?.messageId === 'string' ? (item as { messageId: string }).messageId : null;
      rejected.push({ index, messageId, reason: result.reason, message: result.message });
      return;
    }
    // A phone that is not a phone is the sender's mistake to hear about now, not a silent drop later.
    const m = result.message;
    const invalid = extractIdentities({
      userId: m.userId,
      anonymousId: m.anonymousId,
      previousId: m.previousId,
      traits: m.traits,
      sourceId: principal.sourceId,
    }).invalid[0];
    if (invalid) {
      rejected.push({ index, messageId: m.messageId, reason: invalid.reason, message: invalid.message });
      return;
    }
    if (seen.has(result.message.messageId)) duplicates += 1;
    else {
      seen.add(result.message.messageId);
      valid.push(result.message);
    }
  });

  const { tenantId, sourceId } = principal;
  await withTenant(db, tenantId, async (tx) => {
    if (valid.length > 0) {
      await tx.execute(sql`
        insert into inbound_log (tenant_id, source_id, message_id, message_count, received_at, payload_enc)
        values (${tenantId}::uuid, ${sourceId}::uuid, ${valid[0]!.messageId}, ${valid.length},
                ${receivedAt.toISOString()}::timestamptz, ${sealMessages(keys, valid)})`);
    }
    if (rejected.length > 0) {
      const rows = rejected.slice(0, 50).map((r) => ({
        id: uuidv7(),
        reason: r.reason,
        message: r.message,
        payload: truncated(raw[r.index]),
      }));
      await tx.execute(sql`
        insert into rejected_messages (tenant_id, id, source_id, received_at, reason, message, payload)
        select ${tenantId}::uuid, id, ${sourceId}::uuid, ${receivedAt.toISOString()}::timestamptz, reason, message, payload
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, reason text, message text, payload jsonb)`);
    }
  });
  const written = valid.length;
  counters.add(tenantId, sourceId, 'received', raw.length);
  counters.add(tenantId, sourceId, 'accepted', written);
  if (duplicates > 0) counters.add(tenantId, sourceId, 'duplicate', duplicates);
  for (const r of rejected) counters.add(tenantId, sourceId, `rejected:${r.reason}`);
  return { accepted: written, duplicates, rejected };
}

/** What the debugger keeps of a rejected message: at most 8 KB, as JSON. */
function truncated(value: unknown): unknown {
  const text = maskPersonal((JSON.stringify(value ?? null) ?? 'null').replaceAll('\\u0000', ''));
  return text.length <= 8192 ? JSON.parse(text) : { truncated: text.slice(0, 8192) };
}

/** Rejected messages are kept for the debugger: mask anything that looks like a phone or an e-mail. */
export function maskPersonal(json: string): string {
  return json
    .replace(/(?<!\d)(\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)/g, '$2****$3')
    .replace(/([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, '$1***@$2');
}

export { LIMITS };
