import { ROLE_RANK, type CreateUser, type OrgUnitType, type Role, type UpdateUser } from '@forecourt/contracts';
import { and, asc, eq, gt, ilike, like, or, sql, type SQL } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import type { UseCaseContext } from '../../platform/context.js';
import { blindIndex, encrypt, hashPassword, type Keys } from '../../platform/crypto.js';
import { AppError, conflict, invalid } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { normalizeChinaMobile } from '../../platform/phone.js';
import { auditAction } from '../audit/record-audit.js';
import { revokeUserSessions } from '../auth/sessions.js';
import { staleVersion } from './org-units.js';
import { getUnitInScope, getUserInScope, toUser, unitLabel, type OrgUnitRow } from './queries.js';
import { orgUnits, users } from './schema.js';
import { unitInScope } from './scope.js';

/** Which unit types each role may belong to; tenant-wide roles may sit anywhere. */
const ROLE_UNITS: Partial<Record<Role, readonly OrgUnitType[]>> = {
  regional_manager: ['region'],
  group_admin: ['dealer_group'],
  store_manager: ['store'],
  consultant: ['store', 'team'],
  dcc_agent: ['store', 'team'],
  service_advisor: ['store', 'team'],
};

function checkRoleFits(role: Role, unit: OrgUnitRow) {
  const allowed = ROLE_UNITS[role];
  if (allowed && !allowed.includes(unit.type as OrgUnitType)) {
    throw invalid('orgUnitId', `a ${role} belongs to a ${allowed.join(' or ')}, not a ${unit.type}`);
  }
}

function checkMayGrant(auth: AuthContext, role: Role) {
  const mine = auth.role ? ROLE_RANK[auth.role] : 0;
  if (ROLE_RANK[role] > mine) throw new AppError('FORBIDDEN', `You cannot give the role ${role}: it ranks above your own.`);
}

export function sealPhone(keys: Keys, phone: string | null | undefined): { phoneEnc: string | null; phoneIndex: string | null } {
  if (!phone) return { phoneEnc: null, phoneIndex: null };
  const normalised = normalizeChinaMobile(phone);
  if (!normalised) throw invalid('phone', 'not a valid Chinese mobile number (11 digits starting 13–19)');
  return { phoneEnc: encrypt(keys, normalised), phoneIndex: blindIndex(keys, 'phone', normalised) };
}

export interface ListUsersOptions {
  limit: number;
  cursor?: string;
  q?: string;
  role?: Role;
  orgUnitId?: string;
  active?: boolean;
}

export async function listUsers(ctx: UseCaseContext, opts: ListUsersOptions) {
  const where: SQL[] = [eq(users.tenantId, ctx.auth.tenantId), unitInScope(ctx.auth)];
  if (opts.q) {
    const pattern = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(users.login, pattern), ilike(users.displayName, pattern))!);
  }
  if (opts.role) where.push(eq(users.role, opts.role));
  if (opts.active !== undefined) where.push(eq(users.active, opts.active));
  if (opts.orgUnitId) {
    const unit = await getUnitInScope(ctx.tx, ctx.auth, opts.orgUnitId);
    where.push(like(orgUnits.path, `${unit.path}%`));
  }
  const after = decodeCursor(opts.cursor, 1);
  if (after) where.push(gt(users.login, String(after[0])));
  const rows = await ctx.tx
    .select({ user: users, unitName: unitLabel })
    .from(users)
    .innerJoin(orgUnits, and(eq(orgUnits.tenantId, users.tenantId), eq(orgUnits.id, users.orgUnitId)))
    .where(and(...where))
    .orderBy(asc(users.login))
    .limit(opts.limit + 1);
  return pageFrom(
    rows.map((r) => toUser(r.user, r.unitName, ctx.keys)),
    opts.limit,
    (u) => [u.login],
  );
}

export async function getUser(ctx: UseCaseContext, id: string) {
  const { user, label } = await getUserInScope(ctx.tx, ctx.auth, id);
  return toUser(user, label, ctx.keys);
}

export async function createUser(ctx: UseCaseContext, input: CreateUser) {
  const unit = await getUnitInScope(ctx.tx, ctx.auth, input.orgUnitId);
  if (!unit.active) throw conflict('orgUnitId: the organisation unit is deactivated.');
  checkMayGrant(ctx.auth, input.role);
  checkRoleFits(input.role, unit);
  const [taken] = await ctx.tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, ctx.auth.tenantId), eq(users.login, input.login)));
  if (taken) throw conflict(`login: ${input.login} is already taken.`, [{ path: 'login', message: 'already taken' }]);
  const id = uuidv7();
  const [row] = await ctx.tx
    .insert(users)
    .values({
      tenantId: ctx.auth.tenantId,
      id,
      login: input.login,
      displayName: input.displayName,
      ...sealPhone(ctx.keys, input.phone),
      role: input.role,
      orgUnitId: unit.id,
      onDuty: input.onDuty ?? true,
      passwordHash: await hashPassword(input.password),
    })
    .returning();
  await auditAction(ctx, {
    action: 'user.created',
    targetType: 'user',
    targetId: id,
    details: { login: input.login, role: input.role, orgUnitId: unit.id },
  });
  if (!row) throw new Error('insert returned no row');
  return getUser(ctx, id);
}

export async function updateUser(ctx: UseCaseContext, id: string, input: UpdateUser) {
  const { user, unit: currentUnit } = await getUserInScope(ctx.tx, ctx.auth, id);
  if (user.version !== input.version) throw staleVersion(user.version);
  if (id === ctx.auth.userId && (input.active === false || (input.role && input.role !== user.role))) {
    throw new AppError('FORBIDDEN', 'You cannot deactivate yourself or change your own role.');
  }
  // Editing someone who outranks you is as forbidden as granting their role.
  checkMayGrant(ctx.auth, user.role as Role);
  const role = input.role ?? (user.role as Role);
  if (input.role) checkMayGrant(ctx.auth, input.role);
  const unit = input.orgUnitId ? await getUnitInScope(ctx.tx, ctx.auth, input.orgUnitId) : currentUnit;
  if (input.role || input.orgUnitId) checkRoleFits(role, unit);
  const { version, phone, ...rest } = input;
  const values: Partial<typeof users.$inferInsert> = { ...rest, version: version + 1, updatedAt: new Date() };
  if (phone !== undefined) Object.assign(values, sealPhone(ctx.keys, phone));
  const [row] = await ctx.tx
    .update(users)
    .set(values)
    .where(and(eq(users.tenantId, ctx.auth.tenantId), eq(users.id, id), eq(users.version, version)))
    .returning();
  if (!row) throw staleVersion(user.version);

  const base = { targetType: 'user', targetId: id };
  if (input.role && input.role !== user.role)
    await auditAction(ctx, { ...base, action: 'user.role_changed', details: { from: user.role, to: input.role } });
  if (input.active === false && user.active) {
    await revokeUserSessions(ctx.tx, ctx.auth.tenantId, id);
    await auditAction(ctx, { ...base, action: 'user.deactivated' });
  }
  if (input.active === true && !user.active) await auditAction(ctx, { ...base, action: 'user.reactivated' });
  const changed = Object.keys(rest).filter((k) => k !== 'role' && k !== 'active');
  if (changed.length > 0 || phone !== undefined) {
    await auditAction(ctx, {
      ...base,
      action: 'user.updated',
      details: { fields: phone !== undefined ? [...changed, 'phone'] : changed },
    });
  }
  return getUser(ctx, id);
}

export async function resetUserPassword(ctx: UseCaseContext, id: string, password: string) {
  const { user } = await getUserInScope(ctx.tx, ctx.auth, id);
  checkMayGrant(ctx.auth, user.role as Role);
  await ctx.tx
    .update(users)
    .set({
      passwordHash: await hashPassword(password),
      passwordChangedAt: new Date(),
      failedLogins: 0,
      lockedUntil: null,
      version: sql`${users.version} + 1`,
    })
    .where(and(eq(users.tenantId, ctx.auth.tenantId), eq(users.id, id)));
  await revokeUserSessions(ctx.tx, ctx.auth.tenantId, id);
  await auditAction(ctx, {
    action: 'user.password_reset',
    targetType: 'user',
    targetId: id,
  });
}
