import type { LeadSourceOption, TeamLoadRow } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { leadInScope } from './lead-scope.js';

/** Active sources of the tenant, names only: every lead user filters and enters leads by source. */
export async function listLeadSources(ctx: UseCaseContext): Promise<{ items: LeadSourceOption[] }> {
  const items = await rowsOf<LeadSourceOption>(
    ctx.tx,
    sql`select id, name, kind from sources where tenant_id = ${ctx.auth.tenantId}::uuid and active order by name`,
  );
  return { items };
}

/**
 * Open leads (not delivered, lost or dormant) per owner in one store, counted in the database: the manager's
 * team-load table. Only leads in the caller's scope are counted; a store outside it is a 404.
 */
export async function teamLoad(ctx: UseCaseContext, storeId: string): Promise<{ items: TeamLoadRow[] }> {
  const t = ctx.auth.tenantId;
  const [store] = await rowsOf<{ path: string }>(
    ctx.tx,
    sql`select path from org_units where tenant_id = ${t}::uuid and id = ${storeId}::uuid`,
  );
  if (!store || !(ctx.auth.scope === 'tenant' || store.path.startsWith(ctx.auth.scopePath))) throw notFound('Store');
  const rows = await rowsOf<{ owner_user_id: string; open: number | string; fresh: number | string; breached: number | string }>(
    ctx.tx,
    sql`select l.owner_user_id, count(*) as open, count(*) filter (where l.stage = 'new') as fresh,
               count(*) filter (where l.sla_state = 'breached' and l.first_contact_at is null) as breached
        from leads l
        where l.tenant_id = ${t}::uuid and l.store_id = ${storeId}::uuid and l.owner_user_id is not null
          and l.stage not in ('delivered', 'lost', 'dormant') and ${leadInScope(ctx.auth)}
        group by l.owner_user_id`,
  );
  return {
    items: rows.map((r) => ({
      userId: r.owner_user_id,
      openLeads: Number(r.open),
      newLeads: Number(r.fresh),
      breached: Number(r.breached),
    })),
  };
}
