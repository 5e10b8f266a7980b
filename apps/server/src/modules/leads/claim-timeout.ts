import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, withTenant, type Database, type Tx } from '../../platform/db.js';
import { defineJob } from '../../platform/jobs.js';
import type { BusinessHoursRow } from '../org/schema.js';
import { giveLeadTo, recordAssignment } from './assign-lead.js';
import { pickByTurn } from './route-lead.js';

/** Expired claims handled per tenant and run; more wait for the next minute. */
const PER_RUN = 500;

/**
 * Claim-pool leads nobody claimed in time go to the store's next consultant by round robin
 * (reason claim_timeout). With nobody eligible the lead leaves the pool and waits, unassigned,
 * for a manager. Rows another process is handling are skipped.
 */
export async function assignExpiredClaims(tx: Tx, tenantId: string, now = new Date()): Promise<number> {
  const expired = await rowsOf<{
    id: string;
    store_id: string;
    routing_rule_id: string | null;
    path: string;
    name_zh: string;
    business_hours: BusinessHoursRow[];
    time_zone: string;
  }>(
    tx,
    sql`select l.id, l.store_id, l.routing_rule_id, s.path, s.name_zh, s.business_hours, s.time_zone
        from leads l join org_units s on s.tenant_id = l.tenant_id and s.id = l.store_id
        where l.tenant_id = ${tenantId}::uuid and l.claim_until is not null and l.claim_until <= ${now.toISOString()}::timestamptz
          and l.owner_user_id is null
        order by l.claim_until limit ${PER_RUN} for update of l skip locked`,
  );
  let assigned = 0;
  for (const lead of expired) {
    const store = { id: lead.store_id, path: lead.path, name: lead.name_zh, businessHours: lead.business_hours, timeZone: lead.time_zone };
    const pick = await pickByTurn(tx, tenantId, store, 'round_robin', { write: true, at: now });
    if (pick.userId) {
      const given = await giveLeadTo(tx, tenantId, {
        leadId: lead.id,
        userId: pick.userId,
        reason: 'claim_timeout',
        ruleId: lead.routing_rule_id,
        actorId: null,
        at: now,
      });
      if (given) assigned += 1;
    } else {
      await tx.execute(
        sql`update leads set claim_until = null, updated_at = now() where tenant_id = ${tenantId}::uuid and id = ${lead.id}::uuid`,
      );
      await recordAssignment(tx, tenantId, {
        leadId: lead.id,
        storeId: lead.store_id,
        userId: null,
        ruleId: lead.routing_rule_id,
        reason: 'nobody_eligible',
        actorId: null,
        at: now,
      });
    }
  }
  return assigned;
}

export async function runClaimTimeouts(database: Database, now = new Date()): Promise<number> {
  const tenants = await rowsOf<{ id: string }>(database.db, sql`select id from tenants where active order by id`);
  let total = 0;
  for (const { id } of tenants) total += await withTenant(database.db, id, (tx) => assignExpiredClaims(tx, id, now));
  return total;
}

/** Every minute: claim-pool leads past their claim time get assigned. */
export const claimTimeoutJob = defineJob({
  name: 'leads.claim-timeout',
  payload: z.object({}).passthrough(),
  schedule: '* * * * *',
  expireInSeconds: 120,
  retryLimit: 0,
  handler: async (_payload, { database, logger }) => {
    const assigned = await runClaimTimeouts(database);
    if (assigned > 0) logger.info({ assigned }, 'expired lead claims assigned');
  },
});
