import { sql } from 'drizzle-orm';
import { decrypt, type Keys } from '../../platform/crypto.js';
import { rowsOf, withTenant, type Database } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { appendActivity, type EventRow } from '../customers/append-activity.js';
import { extractIdentities } from '../identity/extract-identities.js';
import { toIdentityValue } from '../identity/identity-values.js';
import type { MessageToResolve } from '../identity/plan-batch.js';
import { resolveBatch } from '../identity/resolve-batch.js';
import { loadSettings } from '../identity/settings.js';
import type { SourceCounters } from './counters.js';
import type { InboundMessage } from './segment.js';

interface InboundRow {
  seq: number | string;
  source_id: string;
  payload_enc: string;
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
    const rows = await rowsOf<InboundRow>(
      tx,
      sql`select seq, source_id, payload_enc from inbound_log where tenant_id = ${tenantId}::uuid order by seq limit ${limit} for update skip locked`,
    );
    if (rows.length === 0) return { rows, messages: [] as MessageToResolve[] };
    const payloads = rows.map((r) => JSON.parse(decrypt(keys, r.payload_enc)) as InboundMessage);
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
    const plan = await resolveBatch(tx, { kind: database.kind, keys, tenantId, settings, messages, kindOf });
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
    await appendActivity(tx, tenantId, { events, consents, vehicles, units, unitReason: 'source' });
    const seqs = rows.map((r) => Number(r.seq));
    await tx.execute(
      sql`delete from inbound_log where tenant_id = ${tenantId}::uuid and seq in (select jsonb_array_elements_text(${JSON.stringify(seqs)}::jsonb)::bigint)`,
    );
    return { rows, messages };
  });
  // Counted after the commit: a batch that rolls back is processed again, and counted then.
  for (const r of done.rows) counters.add(tenantId, r.source_id, 'processed');
  for (const m of done.messages) for (const j of m.extracted.junk) counters.add(tenantId, m.sourceId, `ignored:junk_${j.type}`);
  return done.rows.length;
}
