import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, withTenant, type Database, type Tx } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { defineJob } from '../../platform/jobs.js';
import { enqueueWebhookEvent } from '../notifications/enqueue-webhook-event.js';
import { appendLeadEvents } from './customer-effects.js';
import { loadLeadSettings } from './settings.js';

const BATCH = 1_000;
const OPEN_STAGES = ['new', 'contacted', 'appointment', 'visited', 'test_drive', 'deposit', 'order'];

interface DormantRow {
  id: string;
  profile_id: string;
  store_id: string | null;
  owner_user_id: string | null;
  from_stage: string;
  at: Date | string;
}

/**
 * Puts up to BATCH open leads of one tenant to sleep (休眠) when nobody worked them and the customer did
 * not ask again for `dormantDays`: one update, then the stage changes, timeline events and webhooks for
 * exactly those leads. SKIP LOCKED: a lead being worked right now is left for the next run.
 */
export async function markDormantLeads(tx: Tx, tenantId: string, dormantDays: number): Promise<number> {
  const rows = await rowsOf<DormantRow>(
    tx,
    sql`with idle as (
          select id, stage from leads
          where tenant_id = ${tenantId}::uuid
            and stage = any(array(select jsonb_array_elements_text(${JSON.stringify(OPEN_STAGES)}::jsonb)))
            and greatest(last_activity_at, last_inquiry_at) < now() - make_interval(days => ${dormantDays}::int)
          order by last_activity_at limit ${BATCH} for update skip locked)
        update leads l set stage = 'dormant', stage_changed_at = now(), version = l.version + 1, updated_at = now()
        from idle where l.tenant_id = ${tenantId}::uuid and l.id = idle.id
        returning l.id, l.profile_id, l.store_id, l.owner_user_id, idle.stage as from_stage, l.stage_changed_at as at`,
  );
  if (rows.length === 0) return 0;
  const changes = rows.map((r) => ({ id: uuidv7(), lead_id: r.id, from_stage: r.from_stage, at: new Date(r.at).toISOString() }));
  await tx.execute(sql`
    insert into lead_stage_changes (tenant_id, id, lead_id, from_stage, to_stage, actor_id, reason, at)
    select ${tenantId}::uuid, id, lead_id, from_stage, 'dormant', null, 'dormancy', at
    from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as x(id uuid, lead_id uuid, from_stage text, at timestamptz)`);
  await appendLeadEvents(
    tx,
    tenantId,
    rows.map((r, i) => ({
      profileId: r.profile_id,
      messageId: `lead-stage:${changes[i]!.id}`,
      name: 'stage:dormant',
      at: new Date(r.at),
      properties: { leadId: r.id, from: r.from_stage, to: 'dormant', reason: 'dormancy', dormantDays },
    })),
  );
  for (const r of rows)
    await enqueueWebhookEvent(tx, tenantId, 'lead.stage_changed', {
      leadId: r.id,
      from: r.from_stage,
      to: 'dormant',
      reason: 'dormancy',
      storeId: r.store_id,
      ownerUserId: r.owner_user_id,
      at: new Date(r.at).toISOString(),
    });
  return rows.length;
}

/** One tenant's sweep with its own `dormantDays`, batch by batch. */
export async function sweepDormantLeads(database: Database, tenantId: string): Promise<number> {
  const settings = await withTenant(database.db, tenantId, (tx) => loadLeadSettings(tx, tenantId));
  let total = 0;
  for (;;) {
    const n = await withTenant(database.db, tenantId, (tx) => markDormantLeads(tx, tenantId, settings.dormantDays));
    total += n;
    if (n < BATCH) return total;
  }
}

/** Hourly: open leads without activity or inquiry for the tenant's `dormantDays` (default 30) go dormant. */
export const dormancyJob = defineJob({
  name: 'leads.dormancy',
  payload: z.object({ tenantId: z.string().uuid().optional() }).passthrough(),
  schedule: '41 * * * *',
  expireInSeconds: 30 * 60,
  retryLimit: 0, // the next hourly run retries
  handler: async ({ tenantId }, { database, logger }) => {
    const tenants = tenantId
      ? [tenantId]
      : (await rowsOf<{ id: string }>(database.db, sql`select id from tenants where active order by id`)).map((r) => r.id);
    for (const id of tenants) {
      const n = await sweepDormantLeads(database, id);
      if (n > 0) logger.info({ tenantId: id, leads: n }, 'leads went dormant');
    }
  },
});
