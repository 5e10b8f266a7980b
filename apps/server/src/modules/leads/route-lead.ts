import { RoutingStrategy } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { rowsOf, type Executor } from '../../platform/db.js';
import type { BusinessHoursRow } from '../org/schema.js';
import { firstMatchingRule, type LeadFacts } from './match-rule.js';

/*
 * Routing: ordered rules pick the store, the store's strategy picks the consultant. Reading (which
 * rule, which store, who is next) is separate from writing, so the rule editor's "try this lead" runs
 * the same code without changing anything.
 */

export interface StoreRow {
  id: string;
  path: string;
  name: string;
  businessHours: BusinessHoursRow[];
  timeZone: string;
}

export interface RuleRow {
  id: string;
  name: string;
  active: boolean;
  conditions: unknown;
  storeId: string | null;
  strategy: RoutingStrategy;
  claimTimeoutMinutes: number;
}

export type StoreReason = 'rule' | 'preferred_store' | 'source_store' | 'none';

export interface RouteTarget {
  rule: RuleRow | null;
  store: StoreRow | null;
  storeReason: StoreReason;
  strategy: RoutingStrategy;
  claimTimeoutMinutes: number;
}

/** What routing needs besides the lead's facts. */
export interface RouteInput extends LeadFacts {
  preferredStoreId: string | null;
  /** The org path of the source's unit (its store, or a team inside one), if the source belongs to one. */
  sourceUnitPath: string | null;
}

export type OwnerReason = 'entered' | 'returning_customer' | 'round_robin' | 'fewest_open' | 'claim_pool' | 'nobody_eligible' | 'unrouted';

export interface OwnerPick {
  userId: string | null;
  userName: string | null;
  reason: OwnerReason;
  /** Set when the lead goes to the store's claim pool. */
  claimUntil: Date | null;
}

interface StoreSqlRow {
  id: string;
  path: string;
  name_zh: string;
  business_hours: BusinessHoursRow[];
  time_zone: string;
}

const toStore = (r: StoreSqlRow): StoreRow => ({
  id: r.id,
  path: r.path,
  name: r.name_zh,
  businessHours: r.business_hours,
  timeZone: r.time_zone,
});

export async function loadRules(tx: Executor, tenantId: string): Promise<RuleRow[]> {
  const rows = await rowsOf<{
    id: string;
    name: string;
    active: boolean;
    conditions: unknown;
    store_id: string | null;
    strategy: string;
    claim_timeout_minutes: number;
  }>(
    tx,
    sql`select id, name, active, conditions, store_id, strategy, claim_timeout_minutes from routing_rules
        where tenant_id = ${tenantId}::uuid and active order by position, created_at`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    active: r.active,
    conditions: r.conditions,
    storeId: r.store_id,
    strategy: RoutingStrategy.catch('round_robin').parse(r.strategy),
    claimTimeoutMinutes: r.claim_timeout_minutes,
  }));
}

/** An active store by id. */
export async function loadStore(tx: Executor, tenantId: string, id: string): Promise<StoreRow | null> {
  const [row] = await rowsOf<StoreSqlRow>(
    tx,
    sql`select id, path, name_zh, business_hours, time_zone from org_units
        where tenant_id = ${tenantId}::uuid and id = ${id}::uuid and type = 'store' and active`,
  );
  return row ? toStore(row) : null;
}

/** The active store whose subtree holds `path` (the store itself, or the store above a team). */
export async function storeAbove(tx: Executor, tenantId: string, path: string): Promise<StoreRow | null> {
  const [row] = await rowsOf<StoreSqlRow>(
    tx,
    sql`select id, path, name_zh, business_hours, time_zone from org_units
        where tenant_id = ${tenantId}::uuid and type = 'store' and active and ${path} like path || '%'
        order by length(path) desc limit 1`,
  );
  return row ? toStore(row) : null;
}

/**
 * Which store a lead goes to: the first active rule that matches (its store, or, for a rule without
 * one, the lead's preferred store, else the source's store); no rule: the preferred store, else the
 * source's store. No store at all: unrouted.
 */
export async function findRouteTarget(tx: Executor, tenantId: string, lead: RouteInput, tenantTimeZone: string): Promise<RouteTarget> {
  const rule = firstMatchingRule(await loadRules(tx, tenantId), lead, tenantTimeZone);
  const strategy = rule?.strategy ?? 'round_robin';
  const claimTimeoutMinutes = rule?.claimTimeoutMinutes ?? 10;
  const base = { rule, strategy, claimTimeoutMinutes };
  if (rule?.storeId) {
    const store = await loadStore(tx, tenantId, rule.storeId);
    if (store) return { ...base, store, storeReason: 'rule' };
  }
  if (lead.preferredStoreId) {
    const store = await loadStore(tx, tenantId, lead.preferredStoreId);
    if (store) return { ...base, store, storeReason: 'preferred_store' };
  }
  if (lead.sourceUnitPath) {
    const store = await storeAbove(tx, tenantId, lead.sourceUnitPath);
    if (store) return { ...base, store, storeReason: 'source_store' };
  }
  return { ...base, store: null, storeReason: 'none' };
}

/**
 * Who may get new leads in a store: active consultants and DCC agents of its subtree who are on duty
 * and not on leave now, in a stable order (ids are time-ordered, so the order of creation).
 */
export async function eligibleUsers(
  tx: Executor,
  tenantId: string,
  storePath: string,
  at: Date,
): Promise<Array<{ id: string; name: string }>> {
  return rowsOf<{ id: string; name: string }>(
    tx,
    sql`select u.id, u.display_name as name from users u
        join org_units o on o.tenant_id = u.tenant_id and o.id = u.org_unit_id
        where u.tenant_id = ${tenantId}::uuid and u.active and u.on_duty and u.role in ('consultant', 'dcc_agent')
          and o.path like ${storePath + '%'}
          and not exists (select 1 from user_leave l where l.tenant_id = u.tenant_id and l.user_id = u.id
                          and l.starts_at <= ${at.toISOString()}::timestamptz and l.ends_at > ${at.toISOString()}::timestamptz)
        order by u.id`,
  );
}

/** A customer's existing consultant, if they still work in this store, are on duty and not on leave. */
async function returningOwner(
  tx: Executor,
  tenantId: string,
  storePath: string,
  userId: string,
  at: Date,
): Promise<{ id: string; name: string } | null> {
  const [row] = await rowsOf<{ id: string; name: string }>(
    tx,
    sql`select u.id, u.display_name as name from users u
        join org_units o on o.tenant_id = u.tenant_id and o.id = u.org_unit_id
        where u.tenant_id = ${tenantId}::uuid and u.id = ${userId}::uuid and u.active and u.on_duty and o.path like ${storePath + '%'}
          and not exists (select 1 from user_leave l where l.tenant_id = u.tenant_id and l.user_id = u.id
                          and l.starts_at <= ${at.toISOString()}::timestamptz and l.ends_at > ${at.toISOString()}::timestamptz)`,
  );
  return row ?? null;
}

/**
 * The person entering a walk-in or phone-in, when they work leads in the store the lead goes to: the
 * customer is with them (at the counter, on the phone), so they own it.
 */
export async function enteringConsultant(
  tx: Executor,
  tenantId: string,
  userId: string,
  storePath: string,
): Promise<{ id: string; name: string } | null> {
  const [row] = await rowsOf<{ id: string; name: string }>(
    tx,
    sql`select u.id, u.display_name as name from users u
        join org_units o on o.tenant_id = u.tenant_id and o.id = u.org_unit_id
        where u.tenant_id = ${tenantId}::uuid and u.id = ${userId}::uuid and u.active and u.role in ('consultant', 'dcc_agent')
          and o.path like ${storePath + '%'}`,
  );
  return row ?? null;
}

/**
 * The store's round-robin position, locked until commit when `lock` is set, so two leads routed at the
 * same moment never get the same consultant (the second waits for the first to commit).
 */
async function cursorOf(tx: Executor, tenantId: string, storeId: string, lock: boolean): Promise<string | null> {
  if (lock) {
    await tx.execute(
      sql`insert into routing_cursors (tenant_id, store_id) values (${tenantId}::uuid, ${storeId}::uuid) on conflict do nothing`,
    );
    const [row] = await rowsOf<{ last_user_id: string | null }>(
      tx,
      sql`select last_user_id from routing_cursors where tenant_id = ${tenantId}::uuid and store_id = ${storeId}::uuid for update`,
    );
    return row?.last_user_id ?? null;
  }
  const [row] = await rowsOf<{ last_user_id: string | null }>(
    tx,
    sql`select last_user_id from routing_cursors where tenant_id = ${tenantId}::uuid and store_id = ${storeId}::uuid`,
  );
  return row?.last_user_id ?? null;
}

async function moveCursor(tx: Executor, tenantId: string, storeId: string, userId: string): Promise<void> {
  await tx.execute(sql`update routing_cursors set last_user_id = ${userId}::uuid, updated_at = now()
                       where tenant_id = ${tenantId}::uuid and store_id = ${storeId}::uuid`);
}

/** The next eligible user after the one who got the previous lead (wrapping around). */
export function nextInTurn<U extends { id: string }>(users: readonly U[], last: string | null): U | null {
  if (users.length === 0) return null;
  if (!last) return users[0]!;
  return users.find((u) => u.id > last) ?? users[0]!;
}

export interface PickOptions {
  /** The customer's consultant on the profile, tried first. */
  profileOwnerUserId?: string | null;
  /** Lock and advance the store's cursor (false: a preview that writes nothing). */
  write: boolean;
  /** Never this user (the owner who let an SLA lapse). */
  exclude?: string | null;
  at: Date;
}

/**
 * The consultant inside the store: the customer's own consultant first, then the strategy. Claim-pool
 * leads get no owner until someone claims them or the claim times out.
 */
export async function pickOwner(
  tx: Executor,
  tenantId: string,
  target: Pick<RouteTarget, 'store' | 'strategy' | 'claimTimeoutMinutes'>,
  opts: PickOptions,
): Promise<OwnerPick> {
  const { store } = target;
  const none = (reason: OwnerReason): OwnerPick => ({ userId: null, userName: null, reason, claimUntil: null });
  if (!store) return none('unrouted');
  if (opts.profileOwnerUserId && opts.profileOwnerUserId !== opts.exclude) {
    const owner = await returningOwner(tx, tenantId, store.path, opts.profileOwnerUserId, opts.at);
    if (owner) return { userId: owner.id, userName: owner.name, reason: 'returning_customer', claimUntil: null };
  }
  if (target.strategy === 'claim_pool')
    return { ...none('claim_pool'), claimUntil: new Date(opts.at.getTime() + target.claimTimeoutMinutes * 60_000) };
  return pickByTurn(tx, tenantId, store, target.strategy, opts);
}

/** Round robin or fewest open leads among the eligible users (the claim-timeout fallback uses round robin). */
export async function pickByTurn(
  tx: Executor,
  tenantId: string,
  store: StoreRow,
  strategy: RoutingStrategy,
  opts: Pick<PickOptions, 'write' | 'exclude' | 'at'>,
): Promise<OwnerPick> {
  const last = await cursorOf(tx, tenantId, store.id, opts.write);
  const users = (await eligibleUsers(tx, tenantId, store.path, opts.at)).filter((u) => u.id !== opts.exclude);
  if (users.length === 0) return { userId: null, userName: null, reason: 'nobody_eligible', claimUntil: null };
  let chosen: { id: string; name: string } | null;
  let reason: OwnerReason;
  if (strategy === 'fewest_open') {
    const counts = await rowsOf<{ owner_user_id: string; n: number | string }>(
      tx,
      sql`select owner_user_id, count(*) as n from leads
          where tenant_id = ${tenantId}::uuid and owner_user_id = any(${`{${users.map((u) => u.id).join(',')}}`}::uuid[])
            and stage not in ('delivered', 'lost', 'dormant')
          group by owner_user_id`,
    );
    const open = new Map(counts.map((c) => [c.owner_user_id, Number(c.n)]));
    const fewest = Math.min(...users.map((u) => open.get(u.id) ?? 0));
    // Ties go round the table like round robin, so equal loads don't always favour the same person.
    chosen = nextInTurn(
      users.filter((u) => (open.get(u.id) ?? 0) === fewest),
      last,
    );
    reason = 'fewest_open';
  } else {
    chosen = nextInTurn(users, last);
    reason = 'round_robin';
  }
  if (!chosen) return { userId: null, userName: null, reason: 'nobody_eligible', claimUntil: null };
  if (opts.write) await moveCursor(tx, tenantId, store.id, chosen.id);
  return { userId: chosen.id, userName: chosen.name, reason, claimUntil: null };
}
