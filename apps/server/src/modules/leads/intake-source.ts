import type { CreateLeadBody } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { invalid } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { storeAbove } from './route-lead.js';

const COUNTER_SOURCES = {
  walk_in: { name: '展厅到店 Walk-in', kind: 'other' },
  phone_in: { name: '来电 Phone-in', kind: 'call_center' },
} as const;

/**
 * The source a console lead is recorded under: the one named (id, or code = settings.code or the exact
 * name), else for walk-ins and phone-ins the caller's store's own walk-in / phone-in source, made on
 * first use (consultants cannot manage sources, and a walk-in is the store's own traffic).
 */
export async function intakeSourceOf(
  ctx: UseCaseContext,
  body: Pick<CreateLeadBody, 'sourceId' | 'sourceCode' | 'intake'>,
): Promise<string> {
  const t = ctx.auth.tenantId;
  if (body.sourceId) return body.sourceId;
  if (body.sourceCode) {
    const found = await rowsOf<{ id: string }>(
      ctx.tx,
      sql`select id from sources where tenant_id = ${t}::uuid and active and (settings->>'code' = ${body.sourceCode} or name = ${body.sourceCode})`,
    );
    if (found.length === 0) throw invalid('sourceCode', `no active source has the code or name "${body.sourceCode}".`);
    if (found.length > 1) throw invalid('sourceCode', `${found.length} sources have the code or name "${body.sourceCode}"; send sourceId.`);
    return found[0]!.id;
  }
  if (body.intake === 'api') throw invalid('sourceId', 'name the source of the lead (sourceId or sourceCode).');
  return ensureCounterSource(ctx, body.intake);
}

async function ensureCounterSource(ctx: UseCaseContext, intake: 'walk_in' | 'phone_in'): Promise<string> {
  const t = ctx.auth.tenantId;
  const [unit] = ctx.auth.orgUnitId
    ? await rowsOf<{ path: string }>(
        ctx.tx,
        sql`select path from org_units where tenant_id = ${t}::uuid and id = ${ctx.auth.orgUnitId}::uuid`,
      )
    : [];
  const store = unit ? await storeAbove(ctx.tx, t, unit.path) : null;
  const storeId = store?.id ?? null;
  // Two first walk-ins of a store at once must not make two sources.
  await ctx.tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`lead-source|${t}|${intake}|${storeId ?? ''}`}, 7272))`);
  const [found] = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`select id from sources where tenant_id = ${t}::uuid and active and settings->>'code' = ${intake}
          and org_unit_id is not distinct from ${storeId}::uuid order by created_at limit 1`,
  );
  if (found) return found.id;
  const id = uuidv7();
  const { name, kind } = COUNTER_SOURCES[intake];
  await ctx.tx.execute(sql`insert into sources (tenant_id, id, name, kind, org_unit_id, settings, created_by)
    values (${t}::uuid, ${id}::uuid, ${name}, ${kind}, ${storeId}::uuid, ${JSON.stringify({ code: intake })}::jsonb, ${ctx.auth.userId}::uuid)`);
  await auditAction(ctx, { action: 'source.created', targetType: 'source', targetId: id, details: { name, kind, storeId } });
  return id;
}
