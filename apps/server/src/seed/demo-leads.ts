import { and, eq, getTableColumns, getTableName, inArray, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Keys } from '../platform/crypto.js';
import type { Database, Tx } from '../platform/db.js';
import { uuidv7 } from '../platform/ids.js';
import { vinCheckDigit } from '../platform/vin.js';
import { events, profiles, profileUnits } from '../modules/customers/schema.js';
import { nameSearchForms } from '../modules/customers/name-search.js';
import { identities } from '../modules/identity/schema.js';
import { sealIdentity, toIdentityValue } from '../modules/identity/identity-values.js';
import { sources } from '../modules/ingest/schema.js';
import { addBusinessMinutes } from '../modules/leads/business-hours.js';
import {
  leadActivities,
  leadAssignments,
  leadInquiries,
  leads,
  leadStageChanges,
  lostRequests,
  orders,
  tasks,
} from '../modules/leads/schema.js';
import { orgUnits, tenants, users, type BusinessHoursRow } from '../modules/org/schema.js';
import { GIVEN, SURNAMES } from './demo.js';
import { seededRandom, type Random } from './random.js';

/*
 * 90 days of a believable sales pipeline for the demo tenant: lead sources with different costs and
 * quality, stores that answer at very different speeds, and conversion that follows the speed (a lead
 * answered within 30 minutes is about three times likelier to reach a test drive than one answered the
 * next day). Rows are written directly, in bulk: `--scale 1000000` must finish in minutes.
 */

interface DemoSource {
  code: string;
  name: string;
  kind: 'lead_platform' | 'website' | 'call_center' | 'other';
  costYuan: number;
  /** Multiplies the chance of reaching an appointment: a platform's lead quality. */
  quality: number;
  weight: number;
  intake: 'api' | 'adf' | 'mapped_json' | 'walk_in' | 'phone_in';
}

export const DEMO_LEAD_SOURCES: readonly DemoSource[] = [
  { code: 'autohome', name: '汽车之家 Autohome', kind: 'lead_platform', costYuan: 260, quality: 1.0, weight: 24, intake: 'mapped_json' },
  { code: 'dongchedi', name: '懂车帝 Dongchedi', kind: 'lead_platform', costYuan: 210, quality: 0.9, weight: 20, intake: 'mapped_json' },
  { code: 'yiche', name: '易车 Yiche', kind: 'lead_platform', costYuan: 190, quality: 0.8, weight: 14, intake: 'adf' },
  { code: 'douyin', name: '抖音直播 Douyin live', kind: 'lead_platform', costYuan: 120, quality: 0.5, weight: 16, intake: 'mapped_json' },
  { code: 'website', name: '品牌官网 Brand website', kind: 'website', costYuan: 80, quality: 1.1, weight: 10, intake: 'api' },
  { code: 'hotline', name: '400 热线 Hotline', kind: 'call_center', costYuan: 0, quality: 1.3, weight: 6, intake: 'phone_in' },
  { code: 'walkin', name: '自然到店 Walk-in', kind: 'other', costYuan: 0, quality: 0.9, weight: 6, intake: 'walk_in' },
  { code: 'referral', name: '车主推荐 Owner referral', kind: 'other', costYuan: 0, quality: 2.2, weight: 4, intake: 'api' },
];

/** Median minutes to first contact per store: the spread that makes the SLA report worth reading. */
const STORE_SPEED: Record<string, number> = {
  SHA01: 6,
  HGH01: 12,
  NKG01: 22,
  SZV01: 35,
  CAN01: 8,
  SZX01: 16,
  XMN01: 45,
  CSX01: 95,
  PEK01: 10,
  TSN01: 60,
  TAO01: 150,
  SJW01: 300,
};

const MODELS = [
  { series: '星驰 S7', model: '星驰 S7 2026款', trims: ['长续航版', '性能版', '尊享版'], price: [219_800, 259_800, 289_800] },
  { series: '星驰 X5', model: '星驰 X5 2026款', trims: ['舒适版', '豪华版'], price: [169_800, 199_800] },
  { series: '星驰 E3', model: '星驰 E3 2026款', trims: ['标准版', '长续航版'], price: [129_800, 149_800] },
  { series: '星驰 M9', model: '星驰 M9 2026款', trims: ['六座旗舰版', '七座豪华版'], price: [339_800, 369_800] },
] as const;
const COLOURS = ['星河银', '极夜黑', '珍珠白', '雾霾蓝', '熔岩红'];
const TIMEFRAMES = ['1个月内', '3个月内', '半年内', '不确定'];
const LOST_WEIGHTS: Array<[string, number]> = [
  ['price', 26],
  ['bought_competitor', 22],
  ['no_response', 20],
  ['postponed', 12],
  ['financing_declined', 6],
  ['bought_elsewhere', 8],
  ['invalid', 6],
];

const MINUTE = 60_000;
const DAY = 86_400_000;
const CHUNK = 1000;

export interface SeedDemoLeadsOptions {
  leads: number;
  /** Where this run's customer numbering starts: phones are a function of it, so later runs must go on from the earlier ones. */
  firstIndex?: number;
  days?: number;
  now?: Date;
  seed?: number;
}

export interface SeedDemoLeadsResult {
  leads: number;
  delivered: number;
  lost: number;
  open: number;
}

interface Store {
  id: string;
  code: string;
  path: string;
  city: string | null;
  province: string | null;
  hours: BusinessHoursRow[];
  tz: string;
  staff: Array<{ id: string; role: string }>;
  manager: string | null;
}

/** Adds `leads` leads with their whole history to the demo tenant (a no-op without the demo tenant). */
export async function seedDemoLeads(database: Database, keys: Keys, opts: SeedDemoLeadsOptions): Promise<SeedDemoLeadsResult> {
  const db = database.db;
  const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.code, 'demo'));
  if (!tenant) return { leads: 0, delivered: 0, lost: 0, open: 0 };
  const tenantId = tenant.id;
  const now = opts.now ?? new Date();
  const days = opts.days ?? 90;
  const rng = seededRandom(opts.seed ?? 20261124);

  const storeRows = await db
    .select({
      id: orgUnits.id,
      code: orgUnits.code,
      path: orgUnits.path,
      city: orgUnits.city,
      province: orgUnits.province,
      hours: orgUnits.businessHours,
      tz: orgUnits.timeZone,
    })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.type, 'store')));
  const staffRows = await db
    .select({ id: users.id, role: users.role, path: orgUnits.path })
    .from(users)
    .innerJoin(orgUnits, and(eq(orgUnits.tenantId, users.tenantId), eq(orgUnits.id, users.orgUnitId)))
    .where(and(eq(users.tenantId, tenantId), inArray(users.role, ['consultant', 'dcc_agent', 'store_manager']), eq(users.active, true)));
  const stores: Store[] = storeRows.map((s) => ({
    ...s,
    staff: staffRows.filter((u) => u.path.startsWith(s.path) && u.role !== 'store_manager'),
    manager: staffRows.find((u) => u.path.startsWith(s.path) && u.role === 'store_manager')?.id ?? null,
  }));
  if (stores.length === 0) return { leads: 0, delivered: 0, lost: 0, open: 0 };
  const sourceIds = await ensureLeadSources(database, tenantId);

  const result: SeedDemoLeadsResult = { leads: 0, delivered: 0, lost: 0, open: 0 };
  for (let done = 0; done < opts.leads; done += CHUNK) {
    const batch = new Batch();
    const n = Math.min(CHUNK, opts.leads - done);
    for (let i = 0; i < n; i += 1) {
      const index = (opts.firstIndex ?? 0) + done + i;
      const outcome = simulateLead(batch, rng, keys, { tenantId, now, days, stores, sourceIds, index });
      result.leads += 1;
      if (outcome === 'delivered') result.delivered += 1;
      else if (outcome === 'lost') result.lost += 1;
      else result.open += 1;
    }
    await db.transaction((tx) => batch.write(tx));
  }
  return result;
}

async function ensureLeadSources(database: Database, tenantId: string): Promise<Map<string, string>> {
  const existing = await database.db
    .select({ id: sources.id, settings: sources.settings })
    .from(sources)
    .where(eq(sources.tenantId, tenantId));
  const byCode = new Map<string, string>();
  for (const s of existing) {
    const code = (s.settings as { demoCode?: string }).demoCode;
    if (code) byCode.set(code, s.id);
  }
  const missing = DEMO_LEAD_SOURCES.filter((s) => !byCode.has(s.code));
  if (missing.length > 0) {
    const rows = missing.map((s) => ({
      tenantId,
      id: uuidv7(),
      name: s.name,
      kind: s.kind,
      settings: { demoCode: s.code, costPerLeadYuan: s.costYuan },
    }));
    await database.db.insert(sources).values(rows);
    for (const [i, s] of missing.entries()) byCode.set(s.code, rows[i]!.id);
  }
  return byCode;
}

/** Rows of one chunk, inserted table by table. */
class Batch {
  profiles: (typeof profiles.$inferInsert)[] = [];
  identities: (typeof identities.$inferInsert)[] = [];
  units: (typeof profileUnits.$inferInsert)[] = [];
  events: (typeof events.$inferInsert)[] = [];
  leads: (typeof leads.$inferInsert)[] = [];
  inquiries: (typeof leadInquiries.$inferInsert)[] = [];
  stages: (typeof leadStageChanges.$inferInsert)[] = [];
  activities: (typeof leadActivities.$inferInsert)[] = [];
  assignments: (typeof leadAssignments.$inferInsert)[] = [];
  tasks: (typeof tasks.$inferInsert)[] = [];
  orders: (typeof orders.$inferInsert)[] = [];
  lost: (typeof lostRequests.$inferInsert)[] = [];

  async write(tx: Tx): Promise<void> {
    await insertRows(tx, profiles, this.profiles);
    // A demo phone may already belong to someone tracked or imported: that customer keeps it.
    await insertRows(tx, identities, this.identities, 'on conflict do nothing');
    await insertRows(tx, profileUnits, this.units);
    await insertRows(tx, events, this.events);
    await insertRows(tx, leads, this.leads);
    await insertRows(tx, leadInquiries, this.inquiries);
    await insertRows(tx, leadStageChanges, this.stages);
    await insertRows(tx, leadActivities, this.activities);
    await insertRows(tx, leadAssignments, this.assignments);
    await insertRows(tx, tasks, this.tasks);
    await insertRows(tx, orders, this.orders);
    await insertRows(tx, lostRequests, this.lost);
  }
}

/**
 * Bulk insert as one JSON parameter per statement (jsonb_populate_recordset): building a million rows
 * through the query builder's parameters cost more than the database's work. Rows are grouped by the keys
 * they set, so a column a row leaves out gets its default.
 */
async function insertRows(tx: Tx, table: PgTable, rows: ReadonlyArray<Record<string, unknown>>, conflict = ''): Promise<void> {
  const columns = getTableColumns(table) as Record<string, { name: string }>;
  const groups = new Map<string, Array<Record<string, unknown>>>();
  for (const row of rows) {
    const keys = Object.keys(row).filter((k) => row[k] !== undefined);
    const signature = keys.join(',');
    const converted: Record<string, unknown> = {};
    for (const k of keys) converted[columns[k]!.name] = row[k];
    const group = groups.get(signature) ?? [];
    group.push(converted);
    groups.set(signature, group);
  }
  const name = getTableName(table);
  for (const group of groups.values()) {
    const list = Object.keys(group[0]!)
      .map((c) => `"${c}"`)
      .join(', ');
    for (let i = 0; i < group.length; i += 5000) {
      await tx.execute(
        sql`insert into ${sql.raw(`"${name}"`)} (${sql.raw(list)}) select ${sql.raw(list)} from jsonb_populate_recordset(null::${sql.raw(`"${name}"`)}, ${JSON.stringify(group.slice(i, i + 5000))}::jsonb) ${sql.raw(conflict)}`,
      );
    }
  }
}

interface SimContext {
  tenantId: string;
  now: Date;
  days: number;
  stores: Store[];
  sourceIds: Map<string, string>;
  index: number;
}

function weighted<T>(rng: Random, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r <= 0) return item;
  }
  return items[items.length - 1]![0];
}

/** Log-normal around a median: response times have a long tail. */
function lognormal(rng: Random, median: number, spread = 0.9): number {
  const u = Math.max(1e-9, rng.next());
  const v = rng.next();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(spread * z);
}

/** Customer n's mobile: distinct for every n below 10^9 (a bijection of the last nine digits), never a junk pattern. */
function mobileOf(n: number): string {
  const digits = (Number((BigInt(n) * 387_420_489n + 123_456_789n) % 1_000_000_000n) + 1_000_000_000).toString().slice(1);
  return `+861${'35789'[n % 5]}${digits}`;
}

/** A VIN with a valid check digit: Chinese WMI, model year T (2026). */
function demoVin(rng: Random): string {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
  const body = `LXC${Array.from({ length: 5 }, () => rng.pick([...alphabet])).join('')}0T${rng.pick(['S', 'H', 'N'])}${String(rng.int(0, 999_999)).padStart(6, '0')}`;
  return body.slice(0, 8) + vinCheckDigit(body) + body.slice(9);
}

type Outcome = 'delivered' | 'lost' | 'open';

function simulateLead(b: Batch, rng: Random, keys: Keys, c: SimContext): Outcome {
  const { tenantId, now } = c;
  const store = rng.pick(c.stores);
  const src = weighted(
    rng,
    DEMO_LEAD_SOURCES.map((s) => [s, s.weight] as const),
  );
  const sourceId = c.sourceIds.get(src.code)!;
  // Arrival: spread over the window, more in the afternoon and evening, some at night.
  const dayStart = now.getTime() - rng.next() * c.days * DAY;
  const created = new Date(Math.min(now.getTime() - MINUTE, dayStart));
  const walkIn = src.intake === 'walk_in';

  const profileId = uuidv7(created.getTime());
  const leadId = uuidv7(created.getTime());
  const name = rng.pick(SURNAMES) + rng.pick(GIVEN);
  const phone = mobileOf(c.index);
  const pick = rng.pick(MODELS);
  const trimIndex = rng.int(0, pick.trims.length - 1);
  const staff = store.staff.length > 0 ? rng.pick(store.staff) : null;
  const forms = nameSearchForms(name);
  const identity = toIdentityValue(keys, 'phone', phone);

  // The funnel, step by step, each later than the last and never in the future.
  const speed = STORE_SPEED[store.code] ?? 30;
  const slaDue = addBusinessMinutes(created, 30, store.hours, store.tz);
  const stages: Array<{ stage: string; at: Date }> = [{ stage: 'new', at: created }];
  const acts: Array<typeof leadActivities.$inferInsert> = [];
  const addAct = (a: Omit<typeof leadActivities.$inferInsert, 'tenantId' | 'id' | 'leadId' | 'profileId' | 'actorId'>) =>
    acts.push({
      tenantId,
      id: uuidv7(a.at instanceof Date ? a.at.getTime() : undefined),
      leadId,
      profileId,
      actorId: staff?.id ?? null,
      ...a,
    });
  let firstContactAt: Date | null = null;
  let reached = 'new';
  const stepTo = (stage: string, at: Date) => {
    if (at.getTime() > now.getTime()) return false;
    stages.push({ stage, at });
    reached = stage;
    return true;
  };

  let responseMinutes = walkIn ? 0 : lognormal(rng, speed);
  if (!walkIn) {
    // Night leads wait for the store to open; the median applies from then.
    const start = addBusinessMinutes(created, 0.01, store.hours, store.tz);
    const firstTry = new Date(start.getTime() + responseMinutes * MINUTE);
    responseMinutes = (firstTry.getTime() - created.getTime()) / MINUTE;
    if (firstTry.getTime() <= now.getTime()) {
      firstContactAt = firstTry;
      const connected = rng.next() < (responseMinutes <= 30 ? 0.85 : responseMinutes <= 240 ? 0.72 : 0.5);
      addAct({
        type: 'call',
        outcome: connected ? 'connected' : 'no_answer',
        durationSec: connected ? rng.int(40, 420) : 0,
        at: firstTry,
        details: { direction: 'outbound' },
      });
      if (connected) stepTo('contacted', firstTry);
    }
  } else {
    firstContactAt = created;
    stepTo('contacted', created);
  }
  const speedFactor = walkIn ? 1.0 : responseMinutes <= 30 ? 1.6 : responseMinutes <= 120 ? 1.0 : responseMinutes <= 1440 ? 0.5 : 0.3;
  let t = stages[stages.length - 1]!.at.getTime();
  const next = (minDays: number, maxDays: number) => (t += (minDays + rng.next() * (maxDays - minDays)) * DAY);

  let dealt: Outcome = 'open';
  let depositAt: Date | null = null;
  let orderAt: Date | null = null;
  let deliveredAt: Date | null = null;
  const vin = demoVin(rng);
  const price = pick.price[trimIndex]!;
  if (reached === 'contacted') {
    if (walkIn || rng.next() < Math.min(0.9, 0.42 * src.quality * speedFactor)) {
      const kind = rng.next() < 0.6 ? 'test_drive' : 'visit';
      const bookedAt = walkIn ? created : new Date(next(0, 2));
      const visitAt = walkIn ? created : new Date(bookedAt.getTime() + (1 + rng.next() * 5) * DAY);
      if (walkIn || stepTo('appointment', bookedAt)) {
        if (!walkIn)
          addAct({
            type: 'appointment',
            at: bookedAt,
            scheduledAt: visitAt,
            status: visitAt.getTime() > now.getTime() ? 'scheduled' : 'done',
            details: { kind },
          });
        t = visitAt.getTime();
        if ((walkIn || rng.next() < 0.62) && stepTo('visited', visitAt)) {
          addAct({ type: 'visit', at: visitAt, details: { partySize: rng.int(1, 4) } });
          if (rng.next() < 0.66 && stepTo('test_drive', new Date(visitAt.getTime() + 40 * MINUTE))) {
            addAct({
              type: 'test_drive',
              at: new Date(visitAt.getTime() + 40 * MINUTE),
              durationSec: rng.int(15, 40) * 60,
              details: { vehicle: pick.model, feedbackScore: rng.int(3, 5), consentSigned: true },
            });
            t = visitAt.getTime() + 40 * MINUTE;
            if (rng.next() < Math.min(0.8, 0.33 * speedFactor * src.quality) && stepTo('deposit', new Date(next(0, 6)))) {
              depositAt = stages[stages.length - 1]!.at;
              if (rng.next() < 0.8 && stepTo('order', new Date(next(2, 12)))) {
                orderAt = stages[stages.length - 1]!.at;
                if (rng.next() < 0.92 && stepTo('delivered', new Date(next(7, 25)))) {
                  deliveredAt = stages[stages.length - 1]!.at;
                  dealt = 'delivered';
                }
              }
            }
          }
        }
      }
    }
  }

  // Leads that stopped more than three weeks ago are closed: most lost with a reason, the rest dormant.
  let stage = reached;
  let lostReason: string | null = null;
  const quietSince = stages[stages.length - 1]!.at.getTime();
  if (dealt !== 'delivered' && now.getTime() - quietSince > 21 * DAY) {
    const closedAt = new Date(quietSince + (14 + rng.next() * 7) * DAY);
    if (rng.next() < 0.75) {
      lostReason = weighted(rng, LOST_WEIGHTS);
      stage = 'lost';
      dealt = 'lost';
      stages.push({ stage: 'lost', at: closedAt });
      if (staff)
        b.lost.push({
          tenantId,
          id: uuidv7(closedAt.getTime()),
          leadId,
          storePath: store.path,
          reason: lostReason,
          requestedBy: staff.id,
          requestedAt: new Date(closedAt.getTime() - 3 * 3600_000),
          status: 'approved',
          decidedBy: store.manager,
          decidedAt: closedAt,
        });
    } else {
      stage = 'dormant';
      stages.push({ stage: 'dormant', at: closedAt });
    }
  }
  const lastAt = stages[stages.length - 1]!.at;
  const slaState = firstContactAt
    ? firstContactAt.getTime() <= slaDue.getTime()
      ? 'met'
      : 'breached'
    : slaDue.getTime() < now.getTime()
      ? 'breached'
      : 'pending';

  b.profiles.push({
    tenantId,
    id: profileId,
    name,
    namePinyin: forms.pinyin,
    nameInitials: forms.initials,
    traits: { name, city: store.city, vehicle_of_interest: pick.model },
    traitSources: {},
    lifecycleStage: dealt === 'delivered' ? 'owner' : dealt === 'lost' ? 'lost' : 'lead',
    ownerOrgUnitId: store.id,
    ownerUserId: staff?.id ?? null,
    city: store.city,
    firstSeenAt: created,
    lastSeenAt: lastAt,
    createdAt: created,
    updatedAt: lastAt,
  });
  b.identities.push({
    tenantId,
    type: 'phone',
    key: identity.key,
    profileId,
    originProfileId: profileId,
    valueEnc: sealIdentity(keys, identity),
    masked: identity.masked,
    last4: identity.last4,
    sourceId,
    firstSeenAt: created,
    lastSeenAt: lastAt,
  });
  b.units.push({ tenantId, profileId, orgUnitId: store.id, path: store.path, reason: 'lead', createdAt: created });
  b.events.push({
    tenantId,
    id: uuidv7(created.getTime()),
    timestamp: created,
    profileId,
    originProfileId: profileId,
    sourceId,
    messageId: `lead:${leadId}`,
    type: 'lead',
    name: 'lead_created',
    receivedAt: created,
    properties: { leadId, intake: src.intake, storeId: store.id, series: pick.series, model: pick.model, condition: 'new' },
    context: {},
  });
  b.leads.push({
    tenantId,
    id: leadId,
    profileId,
    sourceId,
    intake: src.intake,
    campaign: src.kind === 'lead_platform' ? `${src.code}-${created.toISOString().slice(0, 7)}` : null,
    costFen: src.costYuan * 100,
    storeId: store.id,
    storePath: store.path,
    ownerUserId: staff?.id ?? null,
    customerName: name,
    brand: '星驰',
    series: pick.series,
    model: pick.model,
    budgetMinFen: Math.round(price * 0.85) * 100,
    budgetMaxFen: Math.round(price * 1.1) * 100,
    timeframe: rng.pick(TIMEFRAMES),
    tradeIn: rng.next() < 0.3,
    financing: rng.next() < 0.45,
    province: store.province,
    city: store.city,
    stage,
    stageChangedAt: lastAt,
    furthestStage: reached,
    lostReason,
    firstContactDueAt: slaDue,
    firstContactAt,
    slaState,
    slaBreachedAt: slaState === 'breached' ? slaDue : null,
    assignedAt: created,
    lastActivityAt: lastAt,
    lastInquiryAt: created,
    createdAt: created,
    updatedAt: lastAt,
  });
  b.inquiries.push({
    tenantId,
    id: uuidv7(created.getTime()),
    leadId,
    sourceId,
    externalId: `demo-${leadId}`,
    model: pick.model,
    createdLead: true,
    at: created,
    costFen: src.costYuan * 100,
  });
  b.assignments.push({
    tenantId,
    id: uuidv7(created.getTime()),
    leadId,
    storeId: store.id,
    userId: staff?.id ?? null,
    reason: 'round_robin',
    at: created,
  });
  let from: string | null = null;
  for (const s of stages) {
    b.stages.push({
      tenantId,
      id: uuidv7(s.at.getTime()),
      leadId,
      fromStage: from,
      toStage: s.stage,
      actorId: s.stage === 'new' ? null : (staff?.id ?? null),
      at: s.at,
    });
    from = s.stage;
  }
  b.activities.push(...acts);
  if (depositAt)
    b.orders.push({
      tenantId,
      id: uuidv7(depositAt.getTime()),
      leadId,
      profileId,
      storeId: store.id,
      kind: 'deposit',
      status: orderAt ? 'delivered' : 'active',
      amountFen: rng.pick([2000, 3000, 5000]) * 100,
      paidAt: depositAt,
      refundableUntil: new Date(depositAt.getTime() + 7 * DAY).toISOString().slice(0, 10),
      createdBy: staff?.id ?? null,
      createdAt: depositAt,
    });
  if (orderAt)
    b.orders.push({
      tenantId,
      id: uuidv7(orderAt.getTime()),
      leadId,
      profileId,
      storeId: store.id,
      kind: 'order',
      status: deliveredAt ? 'delivered' : 'active',
      amountFen: 20_000 * 100,
      paidAt: orderAt,
      model: pick.model,
      trim: pick.trims[trimIndex]!,
      colour: rng.pick(COLOURS),
      priceFen: price * 100,
      discountFen: rng.int(0, 12) * 1000 * 100,
      extras:
        rng.next() < 0.45
          ? { financing: { provider: '星驰金融', downPayment: Math.round(price * 0.3), months: rng.pick([24, 36, 60]) } }
          : {},
      expectedDeliveryOn: new Date(orderAt.getTime() + 20 * DAY).toISOString().slice(0, 10),
      vin: deliveredAt ? vin : null,
      deliveredAt,
      createdBy: staff?.id ?? null,
      createdAt: orderAt,
    });
  // Open work for the consultant: a first-contact task on a lead nobody has tried yet, a follow-up on the others.
  if (dealt === 'open' && staff) {
    const untried = reached === 'new' && !firstContactAt;
    const due = untried ? slaDue : new Date(Math.max(lastAt.getTime() + 2 * DAY, now.getTime() - 2 * DAY + rng.next() * 4 * DAY));
    b.tasks.push({
      tenantId,
      id: uuidv7(),
      leadId,
      profileId,
      storeId: store.id,
      storePath: store.path,
      ownerUserId: staff.id,
      type: untried
        ? 'first_contact'
        : reached === 'test_drive'
          ? 'test_drive_callback'
          : reached === 'deposit'
            ? 'deposit_follow_up'
            : 'custom',
      title: untried ? null : '回访客户 Follow up',
      rule: untried ? 'first_contact' : null,
      dueAt: due,
      // History: a task that fell due before today was announced when it did, not all at once on the first start.
      overdueNotifiedAt: due.getTime() < now.getTime() ? due : null,
      createdAt: lastAt,
    });
  }
  return dealt;
}

/** How many demo leads exist (the start command seeds the history once). */
export async function countDemoLeads(database: Database): Promise<number> {
  const result = (await database.db.execute(sql`select count(*)::int as n from leads`)) as unknown as { rows: Array<{ n: number }> };
  return Number(result.rows[0]?.n ?? 0);
}
