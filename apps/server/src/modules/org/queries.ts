import type { OrgUnit, User } from '@forecourt/contracts';
import { Locale, OrgUnitType, Role } from '@forecourt/contracts';
import { and, eq, sql } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import { decrypt, type Keys } from '../../platform/crypto.js';
import type { Executor } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { maskPhone } from '../../platform/phone.js';
import { orgUnits, users } from './schema.js';
import { unitInScope } from './scope.js';

export type OrgUnitRow = typeof orgUnits.$inferSelect;
export type UserRow = typeof users.$inferSelect;

export function toOrgUnit(row: OrgUnitRow): OrgUnit {
  return {
    id: row.id,
    parentId: row.parentId,
    type: OrgUnitType.parse(row.type),
    code: row.code,
    nameZh: row.nameZh,
    nameEn: row.nameEn,
    province: row.province,
    city: row.city,
    address: row.address,
    businessHours: row.businessHours,
    timeZone: row.timeZone,
    active: row.active,
    version: row.version,
  };
}

export function toUser(row: UserRow, unitName: string, keys: Keys): User {
  return {
    id: row.id,
    login: row.login,
    displayName: row.displayName,
    phoneMasked: row.phoneEnc ? maskPhone(decrypt(keys, row.phoneEnc)) : null,
    role: Role.parse(row.role),
    orgUnitId: row.orgUnitId,
    orgUnitName: unitName,
    onDuty: row.onDuty,
    active: row.active,
    locale: Locale.parse(row.locale),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    version: row.version,
  };
}

/** How a user's unit reads in lists: a team carries its store's name ("上海浦东店 / 销售一组"). */
export const unitLabel = sql<string>`case when ${orgUnits.type} = 'team'
  then coalesce((select p.name_zh from org_units p where p.tenant_id = ${orgUnits.tenantId} and p.id = ${orgUnits.parentId}) || ' / ', '') || ${orgUnits.nameZh}
  else ${orgUnits.nameZh} end`;

/** A unit the caller may see, or 404 (out of scope looks exactly like missing). */
export async function getUnitInScope(tx: Executor, auth: AuthContext, id: string): Promise<OrgUnitRow> {
  const [row] = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, auth.tenantId), eq(orgUnits.id, id), unitInScope(auth)));
  if (!row) throw notFound('Organisation unit');
  return row;
}

export async function getUserInScope(
  tx: Executor,
  auth: AuthContext,
  id: string,
): Promise<{ user: UserRow; unit: OrgUnitRow; label: string }> {
  const [row] = await tx
    .select({ user: users, unit: orgUnits, label: unitLabel })
    .from(users)
    .innerJoin(orgUnits, and(eq(orgUnits.tenantId, users.tenantId), eq(orgUnits.id, users.orgUnitId)))
    .where(and(eq(users.tenantId, auth.tenantId), eq(users.id, id), unitInScope(auth)));
  if (!row) throw notFound('User');
  return row;
}
