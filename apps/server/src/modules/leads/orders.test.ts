import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import { vinCheckDigit } from '../../platform/vin.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { leadFixture, type LeadFixture } from '../../test/lifecycle-leads.js';

let t: TestApp;
let f: LeadFixture;
let admin: Session;
let sales: Session;

beforeAll(async () => {
  t = await startTestApp();
  f = await leadFixture(t);
  [admin, sales] = await Promise.all([t.login('admin'), t.login('sha01.sales1')]);
}, 60_000);
afterAll(() => t.stop());

const post = (who: Session, url: string, payload: unknown = {}) =>
  t.app.inject({ method: 'POST', url, headers: who.headers(true), payload: payload as Record<string, unknown> });
const get = (who: Session, url: string) => t.app.inject({ method: 'GET', url, headers: who.headers() });

/** A Chinese VIN (WMI LSV) with the right check digit for its serial. */
function chineseVin(serial: string): string {
  const vin = `LSVAU2180N2${serial}`; // WMI LSV, attributes AU218, check digit placeholder 0, year N, plant 2, serial
  return `${vin.slice(0, 8)}${vinCheckDigit(vin)}${vin.slice(9)}`;
}
/** The same VIN with a wrong check digit. */
function withWrongCheckDigit(vin: string): string {
  const wrong = vin.charAt(8) === '1' ? '2' : '1';
  return `${vin.slice(0, 8)}${wrong}${vin.slice(9)}`;
}

const ORDER = {
  kind: 'order',
  model: '星驰 S7',
  trim: '四驱长续航版',
  colour: '星空灰',
  price: 259_800,
  discount: 12_000.5,
  financing: { provider: '星驰汽车金融', downPayment: 80_000, months: 36 },
  tradeIn: { vehicle: '2016 大众朗逸', valuation: 42_000 },
  insurance: { company: '平安保险', premium: 6_800 },
  accessories: [{ name: '脚垫', price: 399 }, { name: '行车记录仪' }],
  expectedDeliveryOn: '2026-06-30',
};

describe('小定 (deposit)', () => {
  it('when a deposit has no amount (or 0), then 409 deposit_needs_amount and the stage stays', async () => {
    const lead = await f.makeLead({ stage: 'test_drive' });
    for (const payload of [{ kind: 'deposit' }, { kind: 'deposit', amount: 0 }]) {
      const res = await post(sales, `/api/leads/${lead.id}/orders`, payload);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.details.rule).toBe('deposit_needs_amount');
      expect(res.json().error.message).toContain('小定');
    }
    const negative = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: -5 });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().error.message).toMatch(/^body\.amount: /);
    const [row] = await rowsOf<{ stage: string; n: number }>(
      t.database.db,
      sql`select stage, (select count(*)::int from orders where lead_id = ${lead.id}::uuid) as n from leads where id = ${lead.id}::uuid`,
    );
    expect(row).toEqual({ stage: 'test_drive', n: 0 });
  });

  it('when a deposit is taken, then the amount is kept in fen, the lead is 小定 and a follow-up is due the next day', async () => {
    const lead = await f.makeLead({ stage: 'test_drive' });
    const res = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 5000.5, refundableUntil: '2099-01-31' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      order: { kind: 'deposit', status: 'active', amount: 5000.5, refundableUntil: '2099-01-31' },
      lead: { stage: 'deposit' },
    });
    const [stored] = await rowsOf<{ amount_fen: number }>(
      t.database.db,
      sql`select amount_fen from orders where id = ${res.json().order.id}::uuid`,
    );
    expect(stored!.amount_fen).toBe(500050);
    const [task] = await rowsOf<{ type: string; due_at: Date }>(
      t.database.db,
      sql`select type, due_at from tasks where lead_id = ${lead.id}::uuid and type = 'deposit_follow_up'`,
    );
    expect(Math.abs(new Date(task!.due_at).getTime() - (Date.now() + 86_400_000))).toBeLessThan(60_000);
  });

  it('when a deposit is refunded, then it is refunded and audited; a second refund, or a refund after its date, is refused', async () => {
    const lead = await f.makeLead({ stage: 'test_drive' });
    const dep = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 3000 });
    const id = dep.json().order.id as string;
    expect((await post(sales, `/api/orders/${id}/cancel`, { reason: 'x' })).json().error.details.rule).toBe('not_an_order');
    const refund = await post(sales, `/api/orders/${id}/refund`, { reason: '客户家人反对' });
    expect(refund.statusCode).toBe(200);
    expect(refund.json()).toMatchObject({ order: { status: 'refunded', closeReason: '客户家人反对' }, lead: { stage: 'deposit' } });
    const again = await post(sales, `/api/orders/${id}/refund`, { reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details.rule).toBe('order_not_active');
    const [audit] = await rowsOf<{ details: Record<string, unknown> }>(
      t.database.db,
      sql`select details from audit_log where action = 'order.refunded' and target_id = ${id}`,
    );
    expect(audit!.details).toMatchObject({ leadId: lead.id, amountFen: 300000 });

    const late = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 1000, refundableUntil: '2020-01-01' });
    const tooLate = await post(sales, `/api/orders/${late.json().order.id}/refund`, { reason: 'x' });
    expect(tooLate.statusCode).toBe(409);
    expect(tooLate.json().error.details.rule).toBe('deposit_not_refundable');
  });
});

describe('大定 (order) and delivery', () => {
  it('when an order has no trim (or model), then 409 order_needs_model_and_trim naming what is missing', async () => {
    const lead = await f.makeLead({ stage: 'deposit' });
    const noTrim = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'order', model: '星驰 S7' });
    expect(noTrim.statusCode).toBe(409);
    expect(noTrim.json().error.details.rule).toBe('order_needs_model_and_trim');
    expect(noTrim.json().error.message).toContain('missing: trim');
    const neither = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'order' });
    expect(neither.json().error.message).toContain('missing: model, trim');
  });

  it('when the car is delivered, then the 小定 that went into it is no longer refundable', async () => {
    const lead = await f.makeLead({ stage: 'test_drive' });
    const deposit = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 3000, refundableUntil: '2099-01-31' });
    expect(deposit.statusCode).toBe(201);
    const order = await post(sales, `/api/leads/${lead.id}/orders`, ORDER);
    const delivered = await post(sales, `/api/orders/${order.json().order.id}/deliver`, { vin: chineseVin('550011') });
    expect(delivered.statusCode, delivered.body).toBe(200);
    const orders = (await get(sales, `/api/leads/${lead.id}/orders`)).json().items as { kind: string; status: string }[];
    expect(orders.find((o) => o.kind === 'deposit')?.status).toBe('delivered');
    expect((await post(sales, `/api/orders/${deposit.json().order.id}/refund`, { reason: '客户反悔' })).statusCode).toBe(409);
  });

  it('when a 大定 is placed and delivered with a valid VIN, then the lead is 已交车 and the customer an owner with the vehicle on the profile', async () => {
    const lead = await f.makeLead({ stage: 'deposit' });
    const placed = await post(sales, `/api/leads/${lead.id}/orders`, ORDER);
    expect(placed.statusCode).toBe(201);
    expect(placed.json()).toMatchObject({
      order: {
        kind: 'order',
        status: 'active',
        price: 259_800,
        discount: 12_000.5,
        financing: { provider: '星驰汽车金融', downPayment: 80_000, months: 36 },
        tradeIn: { vehicle: '2016 大众朗逸', valuation: 42_000 },
        insurance: { company: '平安保险', premium: 6_800 },
        accessories: [
          { name: '脚垫', price: 399 },
          { name: '行车记录仪', price: null },
        ],
        expectedDeliveryOn: '2026-06-30',
      },
      lead: { stage: 'order' },
    });
    const orderId = placed.json().order.id as string;
    const vin = chineseVin('183412');

    const bad = await post(sales, `/api/orders/${orderId}/deliver`, { vin: withWrongCheckDigit(vin) });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'UNPROCESSABLE', details: [{ path: 'vin' }] });
    expect(bad.json().error.message).toMatch(/^vin: .*check digit/);
    const notAVin = await post(sales, `/api/orders/${orderId}/deliver`, { vin: 'LSVAU2180N21834I2' });
    expect(notAVin.statusCode).toBe(422);
    expect(notAVin.json().error.message).toMatch(/^vin: .*I, O or Q/);

    const delivered = await post(sales, `/api/orders/${orderId}/deliver`, { vin: vin.toLowerCase() });
    expect(delivered.statusCode).toBe(200);
    expect(delivered.json()).toMatchObject({
      order: { status: 'delivered', vin },
      lead: { stage: 'delivered', furthestStage: 'delivered' },
    });

    const customer = await get(admin, `/api/customers/${lead.profileId}`);
    expect(customer.json().lifecycleStage).toBe('owner');
    expect(JSON.stringify(customer.json().vehicles)).toContain(vin);
    const timeline = (await get(admin, `/api/customers/${lead.profileId}/timeline`)).json().items as { name: string }[];
    expect(timeline.map((e) => e.name)).toEqual(expect.arrayContaining(['order', 'delivery', 'stage:delivered']));
    const [audit] = await rowsOf<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from audit_log where action = 'order.delivered' and target_id = ${orderId}`,
    );
    expect(audit!.n).toBe(1);

    // A delivered order is done, and the same VIN cannot be handed over twice.
    expect((await post(sales, `/api/orders/${orderId}/cancel`, { reason: 'x' })).json().error.details.rule).toBe('order_not_active');
    const other = await f.makeLead({ stage: 'deposit' });
    const second = await post(sales, `/api/leads/${other.id}/orders`, ORDER);
    const dup = await post(sales, `/api/orders/${second.json().order.id}/deliver`, { vin });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details.rule).toBe('vin_already_delivered');
    // Nothing more is sold on a delivered lead: a further purchase is a new lead.
    const more = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 1000 });
    expect(more.json().error.details.rule).toBe('lead_delivered');
  });

  it('when a deposit is delivered, or an order on a lost lead is placed, then 409 names the rule; a cancelled order is audited', async () => {
    const lead = await f.makeLead({ stage: 'test_drive' });
    const dep = await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 2000 });
    const res = await post(sales, `/api/orders/${dep.json().order.id}/deliver`, { vin: chineseVin('000001') });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details.rule).toBe('not_an_order');

    const placed = await post(sales, `/api/leads/${lead.id}/orders`, ORDER);
    const cancelled = await post(sales, `/api/orders/${placed.json().order.id}/cancel`, { reason: '贷款未批' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ order: { status: 'cancelled' }, lead: { stage: 'order' } });
    const [audit] = await rowsOf<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from audit_log where action = 'order.cancelled' and target_id = ${placed.json().order.id}`,
    );
    expect(audit!.n).toBe(1);

    const lost = await f.makeLead({ stage: 'lost', furthest: 'visited' });
    const onLost = await post(sales, `/api/leads/${lost.id}/orders`, ORDER);
    expect(onLost.statusCode).toBe(409);
    expect(onLost.json().error.details.rule).toBe('reopen_first');
  });

  it('GET orders lists a lead’s deposits and orders newest first, money in yuan', async () => {
    const lead = await f.makeLead({ stage: 'visited' });
    await post(sales, `/api/leads/${lead.id}/orders`, { kind: 'deposit', amount: 1999.99 });
    await post(sales, `/api/leads/${lead.id}/orders`, ORDER);
    const list = await get(sales, `/api/leads/${lead.id}/orders`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((o: { kind: string; amount: number | null }) => [o.kind, o.amount])).toEqual([
      ['order', null],
      ['deposit', 1999.99],
    ]);
  });
});
