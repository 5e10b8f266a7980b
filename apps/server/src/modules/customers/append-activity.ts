import { sql, type SQL } from 'drizzle-orm';
import { StatementPipeline, type Tx } from '../../platform/db.js';

/** A timeline entry of a resolved profile (`timestamp` and the other times as ISO strings). */
export interface EventRow {
  id: string;
  timestamp: string;
  profile_id: string;
  origin_profile_id: string;
  source_id: string | null;
  message_id: string;
  type: string;
  name: string | null;
  original_timestamp: string | null;
  received_at: string;
  properties: unknown;
  context: unknown;
}

export interface ConsentRow {
  id: string;
  profile_id: string;
  purpose: string;
  channel: string;
  granted: boolean;
  at: string;
  source_id: string | null;
  evidence: Record<string, unknown>;
}

export interface VehicleRow {
  profile_id: string;
  vin: string;
  source_id: string | null;
  at: string;
}

/** A profile becomes part of an org unit's work (its data scope); `reason`: source, import, … */
export interface UnitLinkRow {
  profile_id: string;
  org_unit_id: string;
  path: string;
}

/**
 * Append what a resolved batch brought to its profiles: events, consent-ledger rows, vehicles and
 * data-scope links, each as one multi-row statement in the caller's transaction. With `pipeline` the
 * statements are only sent; the caller flushes it.
 */
export async function appendActivity(
  tx: Tx,
  tenantId: string,
  rows: { events: EventRow[]; consents: ConsentRow[]; vehicles: VehicleRow[]; units: UnitLinkRow[]; unitReason: string },
  pipeline?: StatementPipeline,
): Promise<void> {
  const { events, consents, vehicles } = rows;
  const pipe = pipeline ?? new StatementPipeline(tx);
  const send = (query: SQL) => pipe.send(query);
  if (events.length > 0) {
    send(sql`
      insert into events (tenant_id, id, timestamp, profile_id, origin_profile_id, source_id, message_id, type, name,
                          original_timestamp, received_at, properties, context)
      select ${tenantId}::uuid, id, timestamp, profile_id, origin_profile_id, source_id, message_id, type, name,
             original_timestamp, received_at, properties, context
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as x(id uuid, timestamp timestamptz, profile_id uuid,
           origin_profile_id uuid, source_id uuid, message_id text, type text, name text, original_timestamp timestamptz,
           received_at timestamptz, properties jsonb, context jsonb)`);
  }
  if (consents.length > 0) {
    send(sql`
      insert into consents (tenant_id, id, profile_id, purpose, channel, granted, at, source_id, evidence)
      select ${tenantId}::uuid, id, profile_id, purpose, channel, granted, at, source_id, evidence
      from jsonb_to_recordset(${JSON.stringify(consents)}::jsonb) as x(id uuid, profile_id uuid, purpose text, channel text,
           granted boolean, at timestamptz, source_id uuid, evidence jsonb)`);
  }
  if (vehicles.length > 0) {
    send(sql`
      insert into profile_vehicles (tenant_id, profile_id, vin, source_id, since)
      select ${tenantId}::uuid, profile_id, vin, source_id, at
      from jsonb_to_recordset(${JSON.stringify(vehicles)}::jsonb) as x(profile_id uuid, vin text, source_id uuid, at timestamptz)
      on conflict do nothing`);
  }
  const units = [...new Map(rows.units.map((u) => [`${u.profile_id}|${u.org_unit_id}`, u])).values()];
  if (units.length > 0) {
    send(sql`
      insert into profile_units (tenant_id, profile_id, org_unit_id, path, reason)
      select ${tenantId}::uuid, profile_id, org_unit_id, path, ${rows.unitReason}
      from jsonb_to_recordset(${JSON.stringify(units)}::jsonb) as x(profile_id uuid, org_unit_id uuid, path text)
      on conflict do nothing`);
  }
  if (!pipeline) await pipe.flush();
}
