import {
  RoutingConditions,
  RoutingStrategy,
  type CreateRoutingRule,
  type RoutingPreview,
  type RoutingPreviewInput,
  type RoutingRule,
  type UpdateRoutingRule,
} from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf, type Database } from '../../platform/db.js';
import { conflict, invalid, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { toIdentityValue } from '../identity/identity-values.js';
import { resolveBatch } from '../identity/resolve-batch.js';
import { loadSettings } from '../identity/settings.js';
import { leadContacts, openLeadFor, sourceOf, storeIdByCode } from './create-lead.js';
import { findRouteTarget, pickOwner } from './route-lead.js';
import { loadLeadSettings } from './settings.js';

interface RuleSqlRow {
  id: string;
  position: number;
  name: string;
  active: boolean;
  conditions: unknown;
  store_id: string | null;
  store_name: string | null;
  strategy: string;
  claim_timeout_minutes: number;
  version: number;
  updated_at: Date | string;
}

function toRule(r: RuleSqlRow): RoutingRule {
  const conditions = RoutingConditions.safeParse(r.conditions);
  return {
    id: r.id,
    position: r.position,
    name: r.name,
    active: r.active,
    conditions: conditions.success ? conditions.data : {},
    storeId: r.store_id,
    storeName: r.store_name,
    strategy: RoutingStrategy.catch('round_robin').parse(r.strategy),
    claimTimeoutMinutes: r.claim_timeout_minutes,
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

const RULE_SELECT = sql`select r.id, r.position, r.name, r.active, r.conditions, r.store_id, o.name_zh as store_name, r.strategy,
  r.claim_timeout_minutes, r.version, r.updated_at
  from routing_rules r left join org_units o on o.tenant_id = r.tenant_id and o.id = r.store_id`;

export async function listRoutingRules(ctx: UseCaseContext): Promise<{ items: RoutingRule[] }> {
  const rows = await rowsOf<RuleSqlRow>(
    ctx.tx,
    sql`${RULE_SELECT} where r.tenant_id = ${ctx.auth.tenantId}::uuid order by r.position, r.created_at`,
  );
  return { items: rows.map(toRule) };
}

async function getRule(ctx: UseCaseContext, id: string): Promise<RoutingRule> {
  const [row] = await rowsOf<RuleSqlRow>(ctx.tx, sql`${RULE_SELECT} where r.tenant_id = ${ctx.auth.tenantId}::uuid and r.id = ${id}::uuid`);
  if (!row) throw notFound('Routing rule');
  return toRule(row);
}

/** A rule's store must be an active store of the tenant; its sources must exist. */
async function checkReferences(ctx: UseCaseContext, input: CreateRoutingRule): Promise<void> {
  const t = ctx.auth.tenantId;
  if (input.storeId) {
    const [store] = await rowsOf<{ id: string }>(
      ctx.tx,
      sql`select id from org_units where tenant_id = ${t}::uuid and id = ${input.storeId}::uuid and type = 'store' and active`,
    );
    if (!store) throw invalid('storeId', 'not an active store of this tenant.');
  }
  const sourceIds = input.conditions.sourceIds ?? [];
  if (sourceIds.length > 0) {
    const found = await rowsOf<{ id: string }>(
      ctx.tx,
      sql`select id from sources where tenant_id = ${t}::uuid and id = any(${`{${sourceIds.join(',')}}`}::uuid[])`,
    );
    const known = new Set(found.map((f) => f.id));
    const missing = sourceIds.findIndex((id) => !known.has(id));
    if (missing >= 0) throw invalid(`conditions.sourceIds.${missing}`, 'no such source.');
  }
}

export async function createRoutingRule(ctx: UseCaseContext, input: CreateRoutingRule): Promise<RoutingRule> {
  await checkReferences(ctx, input);
  const id = uuidv7();
  await ctx.tx.execute(sql`
    insert into routing_rules (tenant_id, id, position, name, active, conditions, store_id, strategy, claim_timeout_minutes)
    values (${ctx.auth.tenantId}::uuid, ${id}::uuid,
            (select coalesce(max(position), 0) + 1 from routing_rules where tenant_id = ${ctx.auth.tenantId}::uuid),
            ${input.name}, ${input.active}, ${JSON.stringify(input.conditions)}::jsonb, ${input.storeId}::uuid, ${input.strategy},
            ${input.claimTimeoutMinutes})`);
  await auditAction(ctx, { action: 'routing_rule.created', targetType: 'routing_rule', targetId: id, details: { name: input.name } });
  return getRule(ctx, id);
}

export async function updateRoutingRule(ctx: UseCaseContext, id: string, input: UpdateRoutingRule): Promise<RoutingRule> {
  const before = await getRule(ctx, id);
  if (before.version !== input.version)
    throw conflict(`version: someone else changed this rule since you opened it (now version ${before.version}); reload and try again.`, {
      path: 'version',
      current: before.version,
    });
  await checkReferences(ctx, input);
  await ctx.tx.execute(sql`
    update routing_rules set name = ${input.name}, active = ${input.active}, conditions = ${JSON.stringify(input.conditions)}::jsonb,
           store_id = ${input.storeId}::uuid, strategy = ${input.strategy}, claim_timeout_minutes = ${input.claimTimeoutMinutes},
           version = version + 1, updated_at = now()
    where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid and version = ${input.version}`);
  const changed = (['name', 'active', 'conditions', 'storeId', 'strategy', 'claimTimeoutMinutes'] as const).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(input[k]),
  );
  await auditAction(ctx, { action: 'routing_rule.updated', targetType: 'routing_rule', targetId: id, details: { changed } });
  return getRule(ctx, id);
}

export async function deleteRoutingRule(ctx: UseCaseContext, id: string): Promise<void> {
  const rule = await getRule(ctx, id);
  await ctx.tx.execute(sql`delete from routing_rules where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid`);
  await auditAction(ctx, { action: 'routing_rule.deleted', targetType: 'routing_rule', targetId: id, details: { name: rule.name } });
}

/** The new order of every rule, first first. */
export async function reorderRoutingRules(ctx: UseCaseContext, ids: string[]): Promise<{ items: RoutingRule[] }> {
  const current = await listRoutingRules(ctx);
  const known = new Set(current.items.map((r) => r.id));
  if (new Set(ids).size !== ids.length || ids.length !== known.size || ids.some((id) => !known.has(id)))
    throw invalid('ids', `must list each of the ${known.size} rules exactly once.`);
  await ctx.tx.execute(sql`
    update routing_rules r set position = x.pos, updated_at = now()
    from (select id::uuid, ordinality::int as pos from unnest(${`{${ids.join(',')}}`}::text[]) with ordinality as u(id, ordinality)) x
    where r.tenant_id = ${ctx.auth.tenantId}::uuid and r.id = x.id`);
  await auditAction(ctx, { action: 'routing_rule.reordered', targetType: 'routing_rule', details: { ids } });
  return listRoutingRules(ctx);
}

/**
 * "Try this lead": which rule, store and consultant a lead would get now, from the same code intake
 * runs, without writing anything (the round-robin cursor does not move). Contacts are optional here;
 * with them, a returning customer's consultant and an open lead it would join show up too.
 */
export async function previewRoute(ctx: UseCaseContext, driver: Database['kind'], input: RoutingPreviewInput): Promise<RoutingPreview> {
  const t = ctx.auth.tenantId;
  const lead = input.lead;
  const source = await sourceOf(ctx.tx, t, input.sourceId);
  const at = lead.requestedAt ? new Date(lead.requestedAt) : new Date();
  let contacts: ReturnType<typeof leadContacts> = [];
  try {
    contacts = leadContacts(lead);
  } catch {
    contacts = [];
  }
  let profile: { id: string; ownerUserId: string | null } | null = null;
  if (contacts.length > 0) {
    const plan = await resolveBatch(ctx.tx, {
      kind: driver,
      keys: ctx.keys,
      tenantId: t,
      settings: await loadSettings(ctx.tx, t),
      messages: [
        {
          index: 0,
          sourceId: source.id,
          sourceKind: source.kind,
          at: at.toISOString(),
          extracted: { identities: contacts, junk: [], invalid: [], traits: {}, name: null, consents: [], vins: [] },
          identities: contacts.map((f) => toIdentityValue(ctx.keys, f.type, f.value, f.scope)),
        },
      ],
      kindOf: () => null,
      write: false,
    });
    const id = plan.current(plan.resolutions.get(0)!);
    const state = plan.profiles.get(id);
    if (state && !state.isNew) profile = { id, ownerUserId: state.ownerUserId };
  }
  const preferredStoreId = lead.preferredStoreCode ? await storeIdByCode(ctx.tx, t, lead.preferredStoreCode) : null;
  const target = await findRouteTarget(
    ctx.tx,
    t,
    {
      sourceId: source.id,
      province: lead.customer.province ?? null,
      city: lead.customer.city ?? null,
      brand: lead.vehicle.brand ?? null,
      series: lead.vehicle.series ?? null,
      condition: lead.vehicle.condition,
      at,
      preferredStoreId,
      sourceUnitPath: source.unit_path,
    },
    source.time_zone,
  );
  const open = profile ? await openLeadFor(ctx.tx, t, profile.id, target, await loadLeadSettings(ctx.tx, t), at, false) : null;
  const pick = await pickOwner(ctx.tx, t, target, { profileOwnerUserId: profile?.ownerUserId ?? null, write: false, at });
  return {
    rule: target.rule ? { id: target.rule.id, name: target.rule.name } : null,
    store: target.store ? { id: target.store.id, name: target.store.name } : null,
    storeReason: target.storeReason,
    strategy: target.store ? target.strategy : null,
    consultant: pick.userId ? { id: pick.userId, name: pick.userName ?? '' } : null,
    reason: pick.reason,
    inquiryOn: open?.id ?? null,
  };
}
