import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { rowsOf } from '../../platform/db.js';
import type { Session, TestApp } from '../../test/harness.js';

/*
 * Fixtures of the intake, routing and SLA tests: the demo tenant's stores and people, sources made
 * through the API, and leads posted through POST /api/leads. Direct SQL only where a test sets up a
 * state (duty, leave, a deadline in the past) that no endpoint of this module sets.
 */

export async function unitOf(t: TestApp, code: string): Promise<{ id: string; path: string }> {
  const [row] = await rowsOf<{ id: string; path: string }>(t.database.db, sql`select id, path from org_units where code = ${code}`);
  if (!row) throw new Error(`no org unit ${code}`);
  return row;
}

export async function userOf(t: TestApp, login: string): Promise<string> {
  const [row] = await rowsOf<{ id: string }>(t.database.db, sql`select id from users where login = ${login}`);
  if (!row) throw new Error(`no user ${login}`);
  return row.id;
}

/** Exactly these logins of a store's staff are on duty; the store's other consultants and DCC agents are off. */
export async function onDutyOnly(t: TestApp, storeCode: string, logins: string[]): Promise<void> {
  const store = await unitOf(t, storeCode);
  await t.database.db.execute(sql`update users u set on_duty = (u.login = any(${`{${logins.join(',')}}`}::text[]))
    from org_units o where o.tenant_id = u.tenant_id and o.id = u.org_unit_id and o.path like ${store.path + '%'}
      and u.role in ('consultant', 'dcc_agent')`);
}

export async function createSource(
  t: TestApp,
  admin: Session,
  name: string,
  opts: { kind?: string; storeCode?: string } = {},
): Promise<{ id: string; writeKey: string }> {
  const orgUnitId = opts.storeCode ? (await unitOf(t, opts.storeCode)).id : null;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/sources',
    headers: admin.headers(true),
    payload: { name, kind: opts.kind ?? 'lead_platform', orgUnitId },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json() as { source: { id: string }; writeKey: string };
  return { id: body.source.id, writeKey: body.writeKey };
}

let phoneSeq = 0;
/** A fresh, valid, non-placeholder mobile number per call (per process). */
export function newPhone(): string {
  phoneSeq += 1;
  return `139${String(phoneSeq).padStart(4, '0')}${5000 + (process.pid % 4000)}`;
}

export interface Posted {
  status: number;
  body: {
    results: Array<{ index: number; leadId: string; status: string; storeId: string | null; ownerUserId: string | null }>;
    problems: unknown[];
    error?: { code: string; message: string; details?: unknown };
  };
}

export async function postLead(t: TestApp, who: Session, payload: Record<string, unknown>): Promise<Posted> {
  const res = await t.app.inject({ method: 'POST', url: '/api/leads', headers: who.headers(true), payload });
  return { status: res.statusCode, body: res.json() };
}

/** Posts a lead that must be accepted; answers its result. */
export async function leadFor(t: TestApp, who: Session, payload: Record<string, unknown>) {
  const res = await postLead(t, who, payload);
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
  return res.body.results[0]!;
}

export const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

export async function count(t: TestApp, table: string, where = sql`true`): Promise<number> {
  const [row] = await rowsOf<{ n: number | string }>(t.database.db, sql`select count(*) as n from ${sql.identifier(table)} where ${where}`);
  return Number(row?.n ?? 0);
}
