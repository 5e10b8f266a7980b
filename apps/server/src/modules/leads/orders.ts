import type { CloseOrder, CreateLeadOrder, DeliverOrder, Order, OrderResult } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { AppError, conflict, invalid, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { validateVin, vinCheckDigitValid } from '../../platform/vin.js';
import { auditAction } from '../audit/record-audit.js';
import { changeStage, refuse, reopenLead, touchLead, stageWriter, type StageWriter } from './change-stage.js';
import { appendLeadEvents, markCustomerOwner } from './customer-effects.js';
import { assertLeadVersion, leadState, loadLeadForWork, type WorkLead } from './lead-access.js';
import { leadInScope } from './lead-scope.js';
import { funnelIndex, isFunnelStage, missingFact } from './stages.js';
import { addTask, closeLeadTasks } from './tasks.js';

const DAY = 24 * 60 * 60_000;
const CLOCK_SKEW_MS = 5 * 60_000;

interface Extras {
  financing?: { provider: string; downPaymentFen: number | null; months: number | null };
  tradeIn?: { vehicle: string; valuationFen: number | null };
  insurance?: { company: string; premiumFen: number | null };
  accessories?: { name: string; priceFen: number | null }[];
}

interface OrderRow {
  id: string;
  lead_id: string;
  profile_id: string;
  kind: Order['kind'];
  status: Order['status'];
  amount_fen: number | null;
  paid_at: Date | string | null;
  refundable_until: string | null;
  model: string | null;
  trim: string | null;
  colour: string | null;
  price_fen: number | null;
  discount_fen: number | null;
  extras: Extras;
  expected_delivery_on: string | null;
  vin: string | null;
  delivered_at: Date | string | null;
  closed_at: Date | string | null;
  close_reason: string | null;
  created_at: Date | string;
}

/** Yuan in the API, integer fen in the database. */
const toFen = (yuan: number | undefined) => (yuan === undefined ? null : Math.round(yuan * 100));
const toYuan = (fen: number | null | undefined) => (fen === null || fen === undefined ? null : fen / 100);
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
/** `date` columns are read as text: pg would parse them to local midnight, PGlite to UTC midnight. */
const ORDER_COLUMNS =
  sql.raw(`id, lead_id, profile_id, kind, status, amount_fen, paid_at, refundable_until::text as refundable_until, model, trim,
  colour, price_fen, discount_fen, extras, expected_delivery_on::text as expected_delivery_on, vin, delivered_at, closed_at, close_reason, created_at`);

function toOrder(r: OrderRow): Order {
  const x = r.extras ?? {};
  return {
    id: r.id,
    leadId: r.lead_id,
    kind: r.kind,
    status: r.status,
    amount: toYuan(r.amount_fen),
    paidAt: iso(r.paid_at),
    refundableUntil: r.refundable_until,
    model: r.model,
    trim: r.trim,
    colour: r.colour,
    price: toYuan(r.price_fen),
    discount: toYuan(r.discount_fen),
    financing: x.financing
      ? { provider: x.financing.provider, downPayment: toYuan(x.financing.downPaymentFen), months: x.financing.months }
      : null,
    tradeIn: x.tradeIn ? { vehicle: x.tradeIn.vehicle, valuation: toYuan(x.tradeIn.valuationFen) } : null,
    insurance: x.insurance ? { company: x.insurance.company, premium: toYuan(x.insurance.premiumFen) } : null,
    accessories: (x.accessories ?? []).map((a) => ({ name: a.name, price: toYuan(a.priceFen) })),
    expectedDeliveryOn: r.expected_delivery_on,
    vin: r.vin,
    deliveredAt: iso(r.delivered_at),
    closedAt: iso(r.closed_at),
    closeReason: r.close_reason,
    createdAt: iso(r.created_at)!,
  };
}

async function orderRow(ctx: UseCaseContext, id: string): Promise<OrderRow> {
  const [row] = await rowsOf<OrderRow>(
    ctx.tx,
    sql`select ${ORDER_COLUMNS} from orders where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid`,
  );
  if (!row) throw notFound('Order');
  return row;
}

/** A lead that can take an order or a delivery: lost must be reopened, delivered is final, dormant wakes up. */
async function openForSale(ctx: UseCaseContext, lead: WorkLead, at: Date): Promise<WorkLead> {
  if (lead.stage === 'lost')
    throw conflict('The lead is closed as 战败 (lost); reopen it before recording a deposit, an order or a delivery.', {
      rule: 'reopen_first',
    });
  if (lead.stage === 'dormant') return reopenLead(stageWriter(ctx), lead, { at, reason: 'order' });
  return lead;
}

/**
 * Records 小定 (a refundable deposit: amount above 0) or 大定 (an order: model and trim), moves the lead
 * forward to that stage if it is behind, and leaves a timeline event; a deposit gets a follow-up task
 * for the next day.
 */
export async function createLeadOrder(ctx: UseCaseContext, leadId: string, input: CreateLeadOrder): Promise<OrderResult> {
  let lead = await loadLeadForWork(ctx, leadId, { forUpdate: true });
  assertLeadVersion(lead, input.version);
  if (lead.stage === 'delivered')
    throw conflict('The lead is 已交车 (delivered); a further purchase is a new lead.', { rule: 'lead_delivered' });
  const now = new Date();
  const tenantId = ctx.auth.tenantId;
  const id = uuidv7();
  const w = stageWriter(ctx);
  if (input.kind === 'deposit') {
    const amountFen = toFen(input.amount) ?? 0;
    const missing = missingFact('deposit', { depositWithAmount: amountFen > 0 });
    if (missing) refuse(missing);
    const paidAt = input.paidAt ? new Date(input.paidAt) : now;
    if (paidAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalid('paidAt', 'a deposit is recorded once it is paid, not in advance.');
    lead = await openForSale(ctx, lead, paidAt);
    await ctx.tx.execute(sql`
      insert into orders (tenant_id, id, lead_id, profile_id, store_id, kind, amount_fen, paid_at, refundable_until, created_by)
      values (${tenantId}::uuid, ${id}::uuid, ${lead.id}::uuid, ${lead.profileId}::uuid, ${lead.storeId}::uuid, 'deposit', ${amountFen},
              ${paidAt.toISOString()}::timestamptz, ${input.refundableUntil ?? null}::date, ${ctx.auth.userId}::uuid)`);
    lead = await moveForward(w, lead, 'deposit', paidAt);
    const owner = lead.ownerUserId ?? ctx.auth.userId;
    if (owner)
      await addTask(ctx.tx, tenantId, {
        lead,
        type: 'deposit_follow_up',
        rule: 'deposit_follow_up',
        title: null,
        dueAt: new Date(now.getTime() + DAY),
        ownerUserId: owner,
        createdBy: ctx.auth.userId,
      });
    await appendLeadEvents(ctx.tx, tenantId, [
      {
        profileId: lead.profileId,
        messageId: `lead-order:${id}`,
        name: 'deposit',
        at: paidAt,
        properties: { leadId: lead.id, orderId: id, amount: amountFen / 100 },
      },
    ]);
  } else {
    const absent = [!input.model && 'model', !input.trim && 'trim'].filter(Boolean).join(', ');
    const missing = missingFact('order', { orderWithModelAndTrim: absent === '', orderMissing: absent });
    if (missing) refuse(missing);
    lead = await openForSale(ctx, lead, now);
    const extras: Extras = {
      ...(input.financing
        ? {
            financing: {
              provider: input.financing.provider,
              downPaymentFen: toFen(input.financing.downPayment),
              months: input.financing.months ?? null,
            },
          }
        : {}),
      ...(input.tradeIn ? { tradeIn: { vehicle: input.tradeIn.vehicle, valuationFen: toFen(input.tradeIn.valuation) } } : {}),
      ...(input.insurance ? { insurance: { company: input.insurance.company, premiumFen: toFen(input.insurance.premium) } } : {}),
      ...(input.accessories ? { accessories: input.accessories.map((a) => ({ name: a.name, priceFen: toFen(a.price) })) } : {}),
    };
    await ctx.tx.execute(sql`
      insert into orders (tenant_id, id, lead_id, profile_id, store_id, kind, model, trim, colour, price_fen, discount_fen, extras,
                          expected_delivery_on, created_by)
      values (${tenantId}::uuid, ${id}::uuid, ${lead.id}::uuid, ${lead.profileId}::uuid, ${lead.storeId}::uuid, 'order', ${input.model!},
              ${input.trim!}, ${input.colour ?? null}, ${toFen(input.price)}, ${toFen(input.discount)}, ${JSON.stringify(extras)}::jsonb,
              ${input.expectedDeliveryOn ?? null}::date, ${ctx.auth.userId}::uuid)`);
    lead = await moveForward(w, lead, 'order', now);
    await appendLeadEvents(ctx.tx, tenantId, [
      {
        profileId: lead.profileId,
        messageId: `lead-order:${id}`,
        name: 'order',
        at: now,
        properties: {
          leadId: lead.id,
          orderId: id,
          model: input.model,
          trim: input.trim,
          ...(input.colour ? { colour: input.colour } : {}),
        },
      },
    ]);
  }
  return { order: toOrder(await orderRow(ctx, id)), lead: leadState(lead) };
}

/** Forward only: a deposit taken on a lead that already has its order leaves the stage alone. */
async function moveForward(w: StageWriter, lead: WorkLead, to: 'deposit' | 'order', at: Date): Promise<WorkLead> {
  if (isFunnelStage(lead.stage) && funnelIndex(lead.stage) >= funnelIndex(to)) return touchLead(w, lead, at);
  return changeStage(w, lead, to, { depositWithAmount: true, orderWithModelAndTrim: true }, { at, reason: to });
}

/** A lead's deposits and orders, newest first. */
export async function listLeadOrders(ctx: UseCaseContext, leadId: string): Promise<{ items: Order[] }> {
  const lead = await loadLeadForWork(ctx, leadId, { forUpdate: false });
  const rows = await rowsOf<OrderRow>(
    ctx.tx,
    sql`select ${ORDER_COLUMNS} from orders where tenant_id = ${ctx.auth.tenantId}::uuid and lead_id = ${lead.id}::uuid order by created_at desc, id desc`,
  );
  return { items: rows.map(toOrder) };
}

/** The order and its lead, both locked, if the lead is the caller's to work; 404 otherwise. */
async function loadOrderForWork(ctx: UseCaseContext, orderId: string): Promise<{ order: OrderRow; lead: WorkLead }> {
  const [found] = await rowsOf<{ lead_id: string }>(
    ctx.tx,
    sql`select o.lead_id from orders o join leads l on l.tenant_id = o.tenant_id and l.id = o.lead_id
        where o.tenant_id = ${ctx.auth.tenantId}::uuid and o.id = ${orderId}::uuid and ${leadInScope(ctx.auth)}`,
  );
  if (!found) throw notFound('Order');
  const lead = await loadLeadForWork(ctx, found.lead_id, { forUpdate: true });
  const [order] = await rowsOf<OrderRow>(
    ctx.tx,
    sql`select ${ORDER_COLUMNS} from orders where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${orderId}::uuid for update`,
  );
  return { order: order!, lead };
}

function assertActive(order: OrderRow, action: string): void {
  if (order.status !== 'active')
    throw conflict(`status: the ${order.kind} is already ${order.status}; it cannot be ${action}.`, {
      rule: 'order_not_active',
      status: order.status,
    });
}

/** The calendar day of now in a time zone, as YYYY-MM-DD. */
function today(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Refunds a 小定 (until its refundable-until date); audited. The lead keeps its stage (the funnel counts what was reached). */
export async function refundDeposit(ctx: UseCaseContext, orderId: string, input: CloseOrder): Promise<OrderResult> {
  const { order, lead } = await loadOrderForWork(ctx, orderId);
  if (order.kind !== 'deposit')
    throw conflict('kind: only a 小定 (deposit) is refunded; a 大定 (order) is cancelled.', { rule: 'not_a_deposit' });
  assertActive(order, 'refunded');
  const until = order.refundable_until;
  if (until && until < today(ctx.auth.tenantTimeZone))
    throw conflict(`refundableUntil: the deposit was refundable until ${until}.`, {
      rule: 'deposit_not_refundable',
      refundableUntil: until,
    });
  return closeOrder(ctx, order, lead, 'refunded', input.reason);
}

/** Cancels a 大定 (order) before delivery; audited. */
export async function cancelOrder(ctx: UseCaseContext, orderId: string, input: CloseOrder): Promise<OrderResult> {
  const { order, lead } = await loadOrderForWork(ctx, orderId);
  if (order.kind !== 'order') throw conflict('kind: a 小定 (deposit) is refunded, not cancelled.', { rule: 'not_an_order' });
  assertActive(order, 'cancelled');
  return closeOrder(ctx, order, lead, 'cancelled', input.reason);
}

async function closeOrder(
  ctx: UseCaseContext,
  order: OrderRow,
  lead: WorkLead,
  status: 'refunded' | 'cancelled',
  reason: string,
): Promise<OrderResult> {
  const tenantId = ctx.auth.tenantId;
  const now = new Date();
  await ctx.tx.execute(sql`
    update orders set status = ${status}, closed_at = now(), close_reason = ${reason}, version = version + 1
    where tenant_id = ${tenantId}::uuid and id = ${order.id}::uuid`);
  if (order.kind === 'deposit') await closeLeadTasks(ctx.tx, tenantId, lead.id, { status: 'cancelled', types: ['deposit_follow_up'] });
  const touched = await touchLead(stageWriter(ctx), lead, now);
  await appendLeadEvents(ctx.tx, tenantId, [
    {
      profileId: lead.profileId,
      messageId: `lead-order:${order.id}:${status}`,
      name: status === 'refunded' ? 'deposit_refunded' : 'order_cancelled',
      at: now,
      properties: { leadId: lead.id, orderId: order.id },
    },
  ]);
  await auditAction(ctx, {
    action: status === 'refunded' ? 'order.refunded' : 'order.cancelled',
    targetType: 'order',
    targetId: order.id,
    details: { leadId: lead.id, kind: order.kind, amountFen: order.amount_fen, reason },
  });
  return { order: toOrder(await orderRow(ctx, order.id)), lead: leadState(touched) };
}

/**
 * Hands the car of a 大定 over: the VIN must pass its check digit (422 naming vin) and not be delivered
 * already; the lead becomes 已交车, the customer an owner (车主) with the vehicle on their profile. Audited.
 */
export async function deliverOrder(ctx: UseCaseContext, orderId: string, input: DeliverOrder): Promise<OrderResult> {
  const { order, lead: loaded } = await loadOrderForWork(ctx, orderId);
  const checked = validateVin(input.vin);
  if ('error' in checked) throw new AppError('UNPROCESSABLE', `vin: ${checked.error}.`, [{ path: 'vin', message: checked.error }]);
  if (!vinCheckDigitValid(checked.vin)) {
    const message = `"${checked.vin}" does not pass the VIN check digit (9th character); delivery needs a VIN that does`;
    throw new AppError('UNPROCESSABLE', `vin: ${message}.`, [{ path: 'vin', message }]);
  }
  const vin = checked.vin;
  const now = new Date();
  const at = input.deliveredAt ? new Date(input.deliveredAt) : now;
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalid('deliveredAt', 'a delivery is recorded once the car is handed over.');
  if (order.kind !== 'order')
    throw conflict('kind: a car is delivered against a 大定 (order), not a 小定 (deposit).', { rule: 'not_an_order' });
  assertActive(order, 'delivered');
  const tenantId = ctx.auth.tenantId;
  const [taken] = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`select id from orders where tenant_id = ${tenantId}::uuid and vin = ${vin} and status = 'delivered' and id <> ${order.id}::uuid limit 1`,
  );
  if (taken) throw conflict(`vin: ${vin} was already delivered on another order.`, { rule: 'vin_already_delivered', path: 'vin' });
  let lead = await openForSale(ctx, loaded, at);
  await ctx.tx.execute(sql`
    update orders set status = 'delivered', vin = ${vin}, delivered_at = ${at.toISOString()}::timestamptz, version = version + 1
    where tenant_id = ${tenantId}::uuid and id = ${order.id}::uuid`);
  // The 小定 went into the car: it is no longer refundable.
  await ctx.tx.execute(sql`
    update orders set status = 'delivered', version = version + 1
    where tenant_id = ${tenantId}::uuid and lead_id = ${lead.id}::uuid and kind = 'deposit' and status = 'active'`);
  lead = await changeStage(stageWriter(ctx), lead, 'delivered', { deliveredWithValidVin: true }, { at, reason: 'delivery' });
  // The car is handed over: the follow-ups that led here are done.
  await closeLeadTasks(ctx.tx, tenantId, lead.id, { status: 'done', types: ['deposit_follow_up', 'test_drive_callback', 'first_contact'] });
  await markCustomerOwner(ctx.tx, tenantId, lead.profileId, vin, at);
  await appendLeadEvents(ctx.tx, tenantId, [
    {
      profileId: lead.profileId,
      messageId: `lead-order:${order.id}:delivered`,
      name: 'delivery',
      at,
      properties: { leadId: lead.id, orderId: order.id, vin, model: order.model, trim: order.trim },
    },
  ]);
  await auditAction(ctx, { action: 'order.delivered', targetType: 'order', targetId: order.id, details: { leadId: lead.id, vin } });
  return { order: toOrder(await orderRow(ctx, order.id)), lead: leadState(lead) };
}
