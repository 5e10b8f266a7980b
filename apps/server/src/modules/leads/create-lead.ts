import type { IntakeStatus, LeadInput, LeadIntake } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { encrypt, type Keys } from '../../platform/crypto.js';
import { rowsOf, type Database, type Tx } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { appendActivity, type EventRow } from '../customers/append-activity.js';
import type { FoundIdentity } from '../identity/extract-identities.js';
import { junkReason, normalizeIdentity, toIdentityValue } from '../identity/identity-values.js';
import type { MessageToResolve } from '../identity/plan-batch.js';
import { resolveBatch } from '../identity/resolve-batch.js';
import { loadSettings } from '../identity/settings.js';
import { enqueueWebhookEvent } from '../notifications/enqueue-webhook-event.js';
import { notify } from '../notifications/notify.js';
import { adoptProfile, announceAssignments, recordAssignment } from './assign-lead.js';
import { reopenLead } from './change-stage.js';
import { LEAD_COLUMNS, toWorkLead, type LeadRow } from './lead-access.js';
import { eligibleUsers, enteringConsultant, findRouteTarget, pickOwner, type OwnerPick, type RouteTarget } from './route-lead.js';
import { loadLeadSettings, slaMinutesFor, type LeadSettings } from './settings.js';
import { createFirstContactTask, firstContactDue } from './sla.js';

/** What intake runs with: a tenant-bound transaction, and who entered the lead (null: a sender's write key). */
export interface IntakeContext {
  tx: Tx;
  tenantId: string;
  keys: Keys;
  driver: Database['kind'];
  actorId: string | null;
}

export function intakeContextOf(ctx: UseCaseContext, driver: Database['kind']): IntakeContext {
  return { tx: ctx.tx, tenantId: ctx.auth.tenantId, keys: ctx.keys, driver, actorId: ctx.auth.userId ?? ctx.auth.apiKeyId };
}

export interface CreateLeadOptions {
  sourceId: string;
  intake: LeadIntake;
  input: LeadInput;
  /** The payload as received (JSON, ADF XML, e-mail); stored encrypted. */
  raw: string | null;
  receivedAt: Date;
}

export interface CreateLeadResult {
  leadId: string;
  status: IntakeStatus;
  storeId: string | null;
  ownerUserId: string | null;
}

/** An intake failure that names the field: 422, with the field in details. */
const unprocessable = (path: string, message: string) => new AppError('UNPROCESSABLE', `${path}: ${message}`, [{ path, message }]);

const CONTACT_FIELDS = ['customer.phone', 'customer.email', 'customer.wechatUnionid', 'customer.wecomExternalUserid'] as const;

/**
 * The customer's contacts as One ID identities. A lead needs at least one that can reach a person:
 * none at all, an invalid phone or e-mail, or only placeholders ("13888888888") are 422 naming the field.
 */
export function leadContacts(input: LeadInput): FoundIdentity[] {
  const c = input.customer;
  const given: Array<[(typeof CONTACT_FIELDS)[number], FoundIdentity['type'], string | undefined]> = [
    ['customer.phone', 'phone', c.phone],
    ['customer.email', 'email', c.email],
    ['customer.wechatUnionid', 'wechat_unionid', c.wechatUnionid],
    ['customer.wecomExternalUserid', 'wecom_external_userid', c.wecomExternalUserid],
  ];
  const found: FoundIdentity[] = [];
  const junk: Array<{ path: string; reason: string }> = [];
  for (const [path, type, raw] of given) {
    if (raw === undefined) continue;
    const n = normalizeIdentity(type, raw);
    if (!n.ok) throw unprocessable(path, n.message.replace(/^[a-z_]+: /, ''));
    const reason = junkReason(type, n.value);
    if (reason) junk.push({ path, reason });
    else found.push({ type, value: n.value, scope: null });
  }
  if (found.length > 0) return found;
  if (junk.length > 0)
    throw unprocessable(junk[0]!.path, `looks like a placeholder (${junk[0]!.reason}); a lead needs a contact that reaches the customer.`);
  throw unprocessable('customer', `a lead needs ${CONTACT_FIELDS.join(', ')} (at least one); none was given.`);
}

const MAX_FEN = 2_000_000_000;
function toFen(path: string, yuan: number | undefined): number | null {
  if (yuan === undefined) return null;
  const fen = Math.round(yuan * 100);
  if (fen > MAX_FEN) throw unprocessable(path, 'more than 20,000,000 yuan.');
  return fen;
}

/**
 * Cost of a lead in fen: as given with the lead, else its campaign's spend ÷ the leads it buys
 * (settings.campaignSpend; without a planned count, ÷ the campaign's leads so far including this one).
 */
async function costOf(tx: Tx, tenantId: string, input: LeadInput, settings: LeadSettings): Promise<number | null> {
  if (input.cost !== undefined) return toFen('cost', input.cost);
  const spend = input.campaign ? settings.campaignSpend[input.campaign] : undefined;
  if (!spend || !input.campaign) return null;
  let n = spend.leads;
  if (n === undefined) {
    const [row] = await rowsOf<{ n: number | string }>(
      tx,
      sql`select count(*) as n from leads where tenant_id = ${tenantId}::uuid and campaign = ${input.campaign}`,
    );
    n = Number(row?.n ?? 0) + 1;
  }
  return Math.round((spend.spendYuan * 100) / n);
}

export interface SourceInfo {
  id: string;
  name: string;
  kind: string;
  unit_path: string | null;
  time_zone: string;
}

export async function sourceOf(tx: Tx, tenantId: string, sourceId: string): Promise<SourceInfo> {
  const [row] = await rowsOf<SourceInfo>(
    tx,
    sql`select s.id, s.name, s.kind, u.path as unit_path, t.time_zone from sources s
        join tenants t on t.id = s.tenant_id
        left join org_units u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
        where s.tenant_id = ${tenantId}::uuid and s.id = ${sourceId}::uuid and s.active`,
  );
  if (!row)
    throw new AppError('NOT_FOUND', 'sourceId: no active source with this id.', [{ path: 'sourceId', message: 'unknown or inactive' }]);
  return row;
}

/**
 * Lead intake, in the caller's transaction: validate the contacts, make the same payload idempotent
 * (same source and external id → the earlier lead, nothing written), resolve the customer to one
 * One ID profile, then either record an inquiry on the customer's open lead (duplicate window) or
 * create the lead, route it, start its first-contact SLA and task, and put it on the customer's timeline.
 */
export async function createLead(ic: IntakeContext, o: CreateLeadOptions): Promise<CreateLeadResult> {
  const { tx, tenantId, keys } = ic;
  const { input } = o;
  const contacts = leadContacts(input);
  const budgetMin = toFen('budget.min', input.budget?.min);
  const budgetMax = toFen('budget.max', input.budget?.max);
  const source = await sourceOf(tx, tenantId, o.sourceId);
  const at = o.receivedAt;
  const atIso = at.toISOString();
  const leadId = uuidv7(at.getTime());
  const inquiryId = uuidv7(at.getTime());

  // Idempotency first, before anything is written: the arrival claims its (source, external id).
  if (input.externalId) {
    const claimed = await rowsOf<{ id: string }>(
      tx,
      sql`insert into lead_inquiries (tenant_id, id, lead_id, source_id, external_id, created_lead, at)
          values (${tenantId}::uuid, ${inquiryId}::uuid, ${leadId}::uuid, ${source.id}::uuid, ${input.externalId}, false, ${atIso}::timestamptz)
          on conflict (tenant_id, source_id, external_id) where external_id is not null do nothing
          returning id`,
    );
    if (claimed.length === 0) {
      const [earlier] = await rowsOf<{ lead_id: string; store_id: string | null; owner_user_id: string | null }>(
        tx,
        sql`select i.lead_id, l.store_id, l.owner_user_id from lead_inquiries i
            left join leads l on l.tenant_id = i.tenant_id and l.id = i.lead_id
            where i.tenant_id = ${tenantId}::uuid and i.source_id = ${source.id}::uuid and i.external_id = ${input.externalId}`,
      );
      if (earlier) return { leadId: earlier.lead_id, status: 'duplicate', storeId: earlier.store_id, ownerUserId: earlier.owner_user_id };
    }
  }

  const [settings, cdp, kinds] = await Promise.all([
    loadLeadSettings(tx, tenantId),
    loadSettings(tx, tenantId),
    rowsOf<{ id: string; kind: string }>(tx, sql`select id, kind from sources where tenant_id = ${tenantId}::uuid`),
  ]);
  const kindById = new Map(kinds.map((k) => [k.id, k.kind]));

  // One ID: the same identities and traits an identify call would bring.
  const c = input.customer;
  const v = input.vehicle;
  const traits: Record<string, unknown> = {};
  if (c.name) traits.name = c.name;
  if (c.city) traits.city = c.city;
  if (c.province) traits.province = c.province;
  if (c.gender) traits.gender = c.gender;
  const interest = [v.brand, v.series, v.model].filter(Boolean).join(' ');
  if (interest) traits.vehicle_of_interest = interest;
  const message: MessageToResolve = {
    index: 0,
    sourceId: source.id,
    sourceKind: source.kind,
    at: atIso,
    extracted: { identities: contacts, junk: [], invalid: [], traits, name: c.name ?? null, consents: [], vins: [] },
    identities: contacts.map((f) => toIdentityValue(keys, f.type, f.value, f.scope)),
  };
  const plan = await resolveBatch(tx, {
    kind: ic.driver,
    keys,
    tenantId,
    settings: cdp,
    messages: [message],
    kindOf: (id) => (id ? (kindById.get(id) ?? null) : null),
  });
  const profileId = plan.current(plan.resolutions.get(0)!);
  const profile = plan.profiles.get(profileId);
  const customerName = c.name ?? profile?.name ?? null;

  const preferredStoreId = input.preferredStoreCode ? await storeIdByCode(tx, tenantId, input.preferredStoreCode) : null;
  const target = await findRouteTarget(
    tx,
    tenantId,
    {
      sourceId: source.id,
      province: c.province ?? null,
      city: c.city ?? null,
      brand: v.brand ?? null,
      series: v.series ?? null,
      condition: v.condition,
      at,
      preferredStoreId,
      sourceUnitPath: source.unit_path,
    },
    source.time_zone,
  );
  const raw = o.raw ? encrypt(keys, o.raw) : null;
  const cost = await costOf(tx, tenantId, input, settings);

  const open = await openLeadFor(tx, tenantId, profileId, target, settings, at);
  if (open) {
    await recordInquiry(tx, tenantId, {
      inquiryId,
      claimed: Boolean(input.externalId),
      leadId: open.id,
      sourceId: source.id,
      input,
      cost,
      raw,
      at,
      createdLead: false,
    });
    await tx.execute(sql`update leads set inquiry_count = inquiry_count + 1, last_inquiry_at = ${atIso}::timestamptz,
                           last_activity_at = greatest(last_activity_at, ${atIso}::timestamptz), updated_at = now()
                         where tenant_id = ${tenantId}::uuid and id = ${open.id}::uuid`);
    await appendActivity(tx, tenantId, {
      events: [
        timelineEvent(profileId, source.id, `lead-inquiry:${inquiryId}`, 'lead_inquiry', at, open.id, input, o.intake, open.store_id),
      ],
      consents: [],
      vehicles: [],
      units: [],
      unitReason: 'lead',
    });
    if (open.stage === 'dormant') {
      // A dormant lead the customer asks about again is alive: back to where it was.
      const [row] = await rowsOf<LeadRow>(
        tx,
        sql`select ${LEAD_COLUMNS} from leads l where l.tenant_id = ${tenantId}::uuid and l.id = ${open.id}::uuid`,
      );
      if (row) await reopenLead({ tx, tenantId, actorId: ic.actorId }, toWorkLead(row), { reason: 'inquiry', at });
    }
    if (open.owner_user_id)
      await notify(tx, tenantId, [
        {
          userId: open.owner_user_id,
          kind: 'lead.inquiry',
          title: `客户再次询价 Asked again: ${open.customer_name ?? customerName ?? '客户'}`,
          link: `/leads/${open.id}`,
        },
      ]);
    return { leadId: open.id, status: 'inquiry', storeId: open.store_id, ownerUserId: open.owner_user_id };
  }

  // A walk-in or phone-in belongs to the consultant who is with the customer and enters it.
  const counter = o.intake === 'walk_in' || o.intake === 'phone_in';
  const enteredBy = counter && ic.actorId && target.store ? await enteringConsultant(tx, tenantId, ic.actorId, target.store.path) : null;
  const pick: OwnerPick = enteredBy
    ? { userId: enteredBy.id, userName: enteredBy.name, reason: 'entered', claimUntil: null }
    : await pickOwner(tx, tenantId, target, {
        profileOwnerUserId: profile && !profile.isNew ? profile.ownerUserId : null,
        write: true,
        at,
      });
  const store = target.store;
  const dueAt = firstContactDue(at, slaMinutesFor(settings, source.id, input.priority), store, source.time_zone);
  await tx.execute(sql`
    insert into leads (tenant_id, id, profile_id, source_id, intake, campaign, cost_fen, store_id, store_path, owner_user_id, customer_name,
                       brand, series, model, vehicle_condition, budget_min_fen, budget_max_fen, timeframe, trade_in, financing, province, city,
                       preferred_store_id, comments, priority, stage, stage_changed_at, furthest_stage, first_contact_due_at, claim_until,
                       assigned_at, routing_rule_id, inquiry_count, last_inquiry_at, last_activity_at, raw_enc, created_at, updated_at)
    values (${tenantId}::uuid, ${leadId}::uuid, ${profileId}::uuid, ${source.id}::uuid, ${o.intake}, ${input.campaign ?? null}, ${cost},
            ${store?.id ?? null}::uuid, ${store?.path ?? null}, ${pick.userId}::uuid, ${customerName},
            ${v.brand ?? null}, ${v.series ?? null}, ${v.model ?? null}, ${v.condition}, ${budgetMin}, ${budgetMax}, ${input.timeframe ?? null},
            ${input.tradeIn ?? null}, ${input.financing ?? null}, ${c.province ?? null}, ${c.city ?? null}, ${preferredStoreId}::uuid,
            ${input.comments ?? null}, ${input.priority}, 'new', ${atIso}::timestamptz, 'new', ${dueAt.toISOString()}::timestamptz,
            ${pick.claimUntil?.toISOString() ?? null}::timestamptz, ${pick.userId ? atIso : null}::timestamptz, ${target.rule?.id ?? null}::uuid,
            1, ${atIso}::timestamptz, ${atIso}::timestamptz, ${raw}, ${atIso}::timestamptz, ${atIso}::timestamptz)`);
  await tx.execute(sql`insert into lead_stage_changes (tenant_id, id, lead_id, from_stage, to_stage, actor_id, reason, at)
    values (${tenantId}::uuid, ${uuidv7(at.getTime())}::uuid, ${leadId}::uuid, null, 'new', ${ic.actorId}::uuid, ${`intake:${o.intake}`}, ${atIso}::timestamptz)`);
  await recordInquiry(tx, tenantId, {
    inquiryId,
    claimed: Boolean(input.externalId),
    leadId,
    sourceId: source.id,
    input,
    cost,
    raw: null, // the lead holds the raw payload of its first arrival
    at,
    createdLead: true,
  });
  await recordAssignment(tx, tenantId, {
    leadId,
    storeId: store?.id ?? null,
    userId: pick.userId,
    ruleId: target.rule?.id ?? null,
    reason: pick.reason,
    actorId: ic.actorId,
    at,
  });
  await createFirstContactTask(
    tx,
    tenantId,
    { id: leadId, profileId, storeId: store?.id ?? null, storePath: store?.path ?? null, ownerUserId: pick.userId, createdBy: ic.actorId },
    dueAt,
  );
  await adoptProfile(tx, tenantId, profileId, store, pick.userId);
  await appendActivity(tx, tenantId, {
    events: [timelineEvent(profileId, source.id, `lead:${leadId}`, 'lead_created', at, leadId, input, o.intake, store?.id ?? null)],
    consents: [],
    vehicles: [],
    units: [],
    unitReason: 'lead',
  });
  if (pick.userId && pick.userId !== ic.actorId)
    await announceAssignments(tx, tenantId, [
      { leadId, userId: pick.userId, customerName, storeId: store?.id ?? null, reason: pick.reason },
    ]);
  if (pick.reason === 'claim_pool' && store) await announceClaimable(tx, tenantId, store.path, leadId, customerName, at);
  await enqueueWebhookEvent(tx, tenantId, 'lead.created', {
    leadId,
    sourceId: source.id,
    intake: o.intake,
    campaign: input.campaign ?? null,
    storeId: store?.id ?? null,
    ownerUserId: pick.userId,
    ruleId: target.rule?.id ?? null,
    stage: 'new',
    firstContactDueAt: dueAt.toISOString(),
  });
  return { leadId, status: 'created', storeId: store?.id ?? null, ownerUserId: pick.userId };
}

export async function storeIdByCode(tx: Tx, tenantId: string, code: string): Promise<string | null> {
  const [row] = await rowsOf<{ id: string }>(
    tx,
    sql`select id from org_units where tenant_id = ${tenantId}::uuid and code = ${code} and type = 'store' and active`,
  );
  return row?.id ?? null;
}

export interface OpenLead {
  id: string;
  stage: string;
  store_id: string | null;
  owner_user_id: string | null;
  customer_name: string | null;
}

/**
 * The customer's open lead (not delivered or lost) asked about within the window, locked: at the routed
 * store (policy `separate`), or anywhere (`merge_into_open`, or when the arrival has no store). Leads of
 * profiles merged into this one count as the customer's.
 */
export async function openLeadFor(
  tx: Tx,
  tenantId: string,
  profileId: string,
  target: RouteTarget,
  settings: LeadSettings,
  at: Date,
  lock = true,
): Promise<OpenLead | null> {
  if (settings.duplicateWindowDays <= 0) return null;
  const since = new Date(at.getTime() - settings.duplicateWindowDays * 86_400_000).toISOString();
  const sameStore = settings.crossStore === 'separate' && target.store ? sql`and l.store_id = ${target.store.id}::uuid` : sql``;
  const [row] = await rowsOf<OpenLead>(
    tx,
    sql`select l.id, l.stage, l.store_id, l.owner_user_id, l.customer_name from leads l
        where l.tenant_id = ${tenantId}::uuid
          and l.profile_id in (select ${profileId}::uuid union all
                               select p.id from profiles p where p.tenant_id = ${tenantId}::uuid and p.merged_into = ${profileId}::uuid)
          and l.stage not in ('delivered', 'lost') and l.last_inquiry_at >= ${since}::timestamptz ${sameStore}
        order by l.last_inquiry_at desc limit 1 ${lock ? sql`for update` : sql``}`,
  );
  return row ?? null;
}

async function recordInquiry(
  tx: Tx,
  tenantId: string,
  r: {
    inquiryId: string;
    /** The row exists already: the arrival claimed its external id. */
    claimed: boolean;
    leadId: string;
    sourceId: string;
    input: LeadInput;
    cost: number | null;
    raw: string | null;
    at: Date;
    createdLead: boolean;
  },
): Promise<void> {
  const { input } = r;
  const model = [input.vehicle.series, input.vehicle.model].filter(Boolean).join(' ') || null;
  if (r.claimed) {
    await tx.execute(sql`update lead_inquiries set lead_id = ${r.leadId}::uuid, campaign = ${input.campaign ?? null}, cost_fen = ${r.cost},
                           model = ${model}, comments = ${input.comments ?? null}, created_lead = ${r.createdLead}, raw_enc = ${r.raw}
                         where tenant_id = ${tenantId}::uuid and id = ${r.inquiryId}::uuid`);
    return;
  }
  await tx.execute(sql`insert into lead_inquiries (tenant_id, id, lead_id, source_id, external_id, campaign, cost_fen, model, comments, created_lead, raw_enc, at)
    values (${tenantId}::uuid, ${r.inquiryId}::uuid, ${r.leadId}::uuid, ${r.sourceId}::uuid, null, ${input.campaign ?? null}, ${r.cost},
            ${model}, ${input.comments ?? null}, ${r.createdLead}, ${r.raw}, ${r.at.toISOString()}::timestamptz)`);
}

/** The lead on the customer's timeline: ids and what they asked about, never contacts or free text. */
function timelineEvent(
  profileId: string,
  sourceId: string,
  messageId: string,
  name: string,
  at: Date,
  leadId: string,
  input: LeadInput,
  intake: LeadIntake,
  storeId: string | null,
): EventRow {
  const v = input.vehicle;
  const properties: Record<string, unknown> = { leadId, intake, storeId };
  if (input.campaign) properties.campaign = input.campaign;
  if (v.brand) properties.brand = v.brand;
  if (v.series) properties.series = v.series;
  if (v.model) properties.model = v.model;
  properties.condition = v.condition;
  if (input.requestedAt) properties.requestedAt = input.requestedAt;
  const iso = at.toISOString();
  return {
    id: uuidv7(at.getTime()),
    timestamp: iso,
    profile_id: profileId,
    origin_profile_id: profileId,
    source_id: sourceId,
    message_id: messageId,
    type: 'lead',
    name,
    original_timestamp: null,
    received_at: iso,
    properties,
    context: {},
  };
}

/** A claim-pool lead: everyone who may claim it hears about it. */
async function announceClaimable(
  tx: Tx,
  tenantId: string,
  storePath: string,
  leadId: string,
  customerName: string | null,
  at: Date,
): Promise<void> {
  const users = await eligibleUsers(tx, tenantId, storePath, at);
  await notify(
    tx,
    tenantId,
    users.map((u) => ({
      userId: u.id,
      kind: 'lead.claimable',
      title: `抢单 Lead to claim: ${customerName ?? '客户'}`,
      link: `/leads/${leadId}`,
    })),
  );
}
