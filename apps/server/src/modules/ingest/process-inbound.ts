import { sql } from 'drizzle-orm';
import type { Keys } from '../../platform/crypto.js';
import { pgTextArray, rowsOf, StatementPipeline, withTenant, type Database, type Tx } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { appendActivity, type EventRow } from '../customers/append-activity.js';
import { extractIdentities } from '../identity/extract-identities.js';
import { toIdentityValue } from '../identity/identity-values.js';
import type { MessageToResolve } from '../identity/plan-batch.js';
import { resolveBatch } from '../identity/resolve-batch.js';
import { loadSettings } from '../identity/settings.js';
import type { SourceCounters } from './counters.js';
import { openMessages } from './inbound-payload.js';
import type { InboundMessage } from './segment.js';

interface InboundRow {
  seq: number | string;
  source_id: string;
  message_count: number;
  payload_enc: string;
}

interface MessageRow {
  source_id: string;
  m: InboundMessage;
}

/**
 * Lock the oldest log rows of the tenant holding about `limit` messages (at least one row; a row is
 * one request). Rows another worker holds are skipped.
 */
async function takeRows(tx: Tx, tenantId: string, limit: number): Promise<InboundRow[]> {
  const candidates = await rowsOf<{ message_count: number }>(
    tx,
    sql`select message_count from inbound_log where tenant_id = ${tenantId}::uuid order by seq limit ${limit}`,
  );
  let rows = 0;
  let messages = 0;
  for (const c of candidates) {
    if (rows > 0 && messages + c.message_count > limit) break;
    rows += 1;
    messages += c.message_count;
  }
  if (rows === 0) return [];
  // Counted on the oldest rows, taken on the oldest this worker can lock: another worker may hold the first ones.
  return rowsOf<InboundRow>(
    tx,
    sql`select seq, source_id, message_count, payload_enc from inbound_log
        where tenant_id = ${tenantId}::uuid order by seq limit ${rows} for update skip locked`,
  );
}

/**
 * Drain up to `limit` messages of one tenant from the inbound log: resolve identities, update
 * profiles, append events and delete the log rows, all in one transaction. A crash rolls the
 * whole batch back and it is processed again; SKIP LOCKED lets several workers share the log.
 * Returns how many messages it processed (0 when the log is empty).
 */
export async function processInboundBatch(database: Database, keys: Keys, counters: SourceCounters, limit = 1000): Promise<number> {
  const [next] = await rowsOf<{ tenant_id: string }>(database.db, sql`select tenant_id from inbound_log order by seq limit 1`);
  if (!next) return 0;
  const tenantId = next.tenant_id;
  const done = await withTenant(database.db, tenantId, async (tx) => {
    const picked = await takeRows(tx, tenantId, limit);
    if (picked.length === 0)
      return { seqs: [] as number[], rows: [] as MessageRow[], messages: [] as MessageToResolve[], duplicates: [] as MessageRow[] };
    const seqs = picked.map((r) => Number(r.seq));
    const unpacked = picked.flatMap((r) => openMessages(keys, r.payload_enc).map((m) => ({ source_id: r.source_id, m })));
    // A messageId seen before (a client's retry) is dropped here, once, against message_ids.
    const fresh = new Set(
      (
        await rowsOf<{ message_id: string }>(
          tx,
          sql`insert into message_ids (tenant_id, message_id, received_at)
              select ${tenantId}::uuid, x.id, x.at from unnest(${pgTextArray(unpacked.map((u) => u.m.messageId))}::text[], ${pgTextArray(unpacked.map((u) => u.m.receivedAt))}::timestamptz[]) as x(id, at)
              on conflict do nothing returning message_id`,
        )
      ).map((r) => r.message_id),
    );
    const rows: MessageRow[] = [];
    const duplicates: MessageRow[] = [];
    for (const u of unpacked) {
      if (fresh.delete(u.m.messageId)) rows.push(u);
      else duplicates.push(u);
    }
    // The writes go out without waiting for each other: the database works while this process builds the next.
    const pipeline = new StatementPipeline(tx);
    pipeline.send(
      sql`delete from inbound_log where tenant_id = ${tenantId}::uuid and seq = any(${pgTextArray(seqs.map(String))}::bigint[])`,
    );
    if (rows.length === 0) {
      await pipeline.flush();
      return { seqs, rows, messages: [] as MessageToResolve[], duplicates };
    }
    const payloads = rows.map((r) => r.m);
    const sourceIds = [...new Set(rows.map((r) => r.source_id))];
    const sources = await rowsOf<{ id: string; kind: string; org_unit_id: string | null; path: string | null }>(
      tx,
      sql`select s.id, s.kind, s.org_unit_id, u.path from sources s
          left join org_units u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
          where s.tenant_id = ${tenantId}::uuid and s.id in (select jsonb_array_elements_text(${JSON.stringify(sourceIds)}::jsonb)::uuid)`,
    );
    const sourceById = new Map(sources.map((s) => [s.id, s]));
    const kindOf = (id: string | null) => (id ? (sourceById.get(id)?.kind ?? null) : null);
    const settings = await loadSettings(tx, tenantId);

    const messages: MessageToResolve[] = rows.map((r, index) => {
      const m = payloads[index]!;
      const extracted = extractIdentities({
        userId: m.userId,
        anonymousId: m.anonymousId,
        previousId: m.previousId,
        traits: m.traits,
        sourceId: r.source_id,
      });
      return {
        index,
        sourceId: r.source_id,
        sourceKind: kindOf(r.source_id) ?? 'other',
        at: m.timestamp,
        extracted,
        identities: extracted.identities.map((i) => toIdentityValue(keys, i.type, i.value, i.scope)),
      };
    });
    const plan = await resolveBatch(tx, { kind: database.kind, keys, tenantId, settings, messages, kindOf, pipeline });
    const profileOf = (index: number) => plan.current(plan.resolutions.get(index)!);

    const events: EventRow[] = rows.map((r, i) => {
      const m = payloads[i]!;
      const origin = plan.resolutions.get(i)!;
      const { traits: _contextTraits, ...context } = m.context as Record<string, unknown>;
      const extracted = messages[i]!.extracted;
      return {
        id: uuidv7(Date.parse(m.timestamp) || Date.now()),
        timestamp: m.timestamp,
        profile_id: plan.current(origin),
        origin_profile_id: origin,
        source_id: r.source_id,
        message_id: m.messageId,
        type: m.type,
        name: m.event ?? m.name ?? null,
        original_timestamp: m.originalTimestamp,
        received_at: m.receivedAt,
        // An identify's traits go on the timeline without the identities, which live encrypted.
        properties: m.type === 'identify' || m.type === 'group' ? extracted.traits : m.properties,
        context,
      };
    });
    const consents = messages.flatMap((m) =>
      m.extracted.consents.map((c) => ({ id: uuidv7(), profile_id: profileOf(m.index), ...c, at: m.at, source_id: m.sourceId })),
    );
    const vehicles = messages.flatMap((m) =>
      m.extracted.vins.map((vin) => ({ profile_id: profileOf(m.index), vin, source_id: m.sourceId, at: m.at })),
    );
    // A store's own source makes the profile part of that store's work (its data scope).
    const units = messages.flatMap((m) => {
      const s = sourceById.get(m.sourceId);
      return s?.org_unit_id && s.path ? [{ profile_id: profileOf(m.index), org_unit_id: s.org_unit_id, path: s.path }] : [];
    });
    await appendActivity(tx, tenantId, { events, consents, vehicles, units, unitReason: 'source' }, pipeline);
    await pipeline.flush();
    return { seqs, rows, messages, duplicates };
  });
  // Counted after the commit: a batch that rolls back is processed again, and counted then.
  for (const r of done.rows) counters.add(tenantId, r.source_id, 'processed');
  for (const r of done.duplicates) counters.add(tenantId, r.source_id, 'duplicate');
  for (const m of done.messages) for (const j of m.extracted.junk) counters.add(tenantId, m.sourceId, `ignored:junk_${j.type}`);
  return done.rows.length + done.duplicates.length;
}
