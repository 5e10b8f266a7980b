import type { LeadStage, LeadState, LostReason } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { AppError, conflict, notFound } from '../../platform/errors.js';
import { leadInScope } from './lead-scope.js';

/** The columns of a lead that working it needs. */
export interface WorkLead {
  id: string;
  profileId: string;
  sourceId: string;
  storeId: string | null;
  storePath: string | null;
  ownerUserId: string | null;
  customerName: string | null;
  stage: LeadStage;
  furthestStage: LeadStage;
  stageChangedAt: Date;
  lostReason: LostReason | null;
  lastActivityAt: Date;
  version: number;
}

export interface LeadRow {
  id: string;
  profile_id: string;
  source_id: string;
  store_id: string | null;
  store_path: string | null;
  owner_user_id: string | null;
  customer_name: string | null;
  stage: string;
  furthest_stage: string;
  stage_changed_at: Date | string;
  lost_reason: string | null;
  last_activity_at: Date | string;
  version: number;
}

export const LEAD_COLUMNS = sql.raw(
  'l.id, l.profile_id, l.source_id, l.store_id, l.store_path, l.owner_user_id, l.customer_name, l.stage, l.furthest_stage, l.stage_changed_at, l.lost_reason, l.last_activity_at, l.version',
);

export function toWorkLead(r: LeadRow): WorkLead {
  return {
    id: r.id,
    profileId: r.profile_id,
    sourceId: r.source_id,
    storeId: r.store_id,
    storePath: r.store_path,
    ownerUserId: r.owner_user_id,
    customerName: r.customer_name,
    stage: r.stage as LeadStage,
    furthestStage: r.furthest_stage as LeadStage,
    stageChangedAt: new Date(r.stage_changed_at),
    lostReason: r.lost_reason as LostReason | null,
    lastActivityAt: new Date(r.last_activity_at),
    version: r.version,
  };
}

export function leadState(l: WorkLead): LeadState {
  return {
    id: l.id,
    stage: l.stage,
    furthestStage: l.furthestStage,
    stageChangedAt: l.stageChangedAt.toISOString(),
    lostReason: l.lostReason,
    lastActivityAt: l.lastActivityAt.toISOString(),
    version: l.version,
  };
}

/**
 * A lead inside the caller's data scope (leads/lead-scope.ts: tenant, store subtree, or own), else 404:
 * another store's consultant must not learn the lead exists. `forUpdate` locks the row for a change;
 * changes by own-scope callers (consultants, DCC) also need the lead to be theirs (a claim-pool lead is
 * claimed first).
 */
export async function loadLeadForWork(ctx: UseCaseContext, leadId: string, opts: { forUpdate: boolean }): Promise<WorkLead> {
  const [row] = await rowsOf<LeadRow>(
    ctx.tx,
    sql`select ${LEAD_COLUMNS} from leads l
        where l.tenant_id = ${ctx.auth.tenantId}::uuid and l.id = ${leadId}::uuid and ${leadInScope(ctx.auth)}
        ${opts.forUpdate ? sql`for update` : sql``}`,
  );
  if (!row) throw notFound('Lead');
  const lead = toWorkLead(row);
  if (opts.forUpdate && ctx.auth.scope === 'own' && lead.ownerUserId !== ctx.auth.userId)
    throw new AppError('FORBIDDEN', 'The lead is in the claim pool; claim it before working on it.');
  return lead;
}

/** Refuses a change made against an old copy of the lead (optimistic concurrency). */
export function assertLeadVersion(lead: WorkLead, version: number | undefined): void {
  if (version !== undefined && version !== lead.version)
    throw conflict(`version: the lead was changed by someone else (now version ${lead.version}); reload it and try again.`, {
      rule: 'stale_version',
      path: 'version',
      current: lead.version,
    });
}
