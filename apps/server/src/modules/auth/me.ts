import { Locale, type Me } from '@forecourt/contracts';
import { and, eq } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import type { UseCaseContext } from '../../platform/context.js';
import { hashPassword, verifyPassword } from '../../platform/crypto.js';
import type { Executor } from '../../platform/db.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { auditAction } from '../audit/record-audit.js';
import { orgUnits, users } from '../org/schema.js';
import { revokeUserSessions } from './sessions.js';

export async function buildMe(tx: Executor, auth: AuthContext, csrfToken: string): Promise<Me> {
  if (!auth.userId || !auth.role) throw new AppError('FORBIDDEN', 'API keys have no profile.');
  const [row] = await tx
    .select({ login: users.login, displayName: users.displayName, locale: users.locale, unitZh: orgUnits.nameZh })
    .from(users)
    .innerJoin(orgUnits, and(eq(orgUnits.tenantId, users.tenantId), eq(orgUnits.id, users.orgUnitId)))
    .where(and(eq(users.tenantId, auth.tenantId), eq(users.id, auth.userId)));
  if (!row) throw notFound('User');
  return meFrom(auth, { login: row.login, displayName: row.displayName, locale: row.locale, unitName: row.unitZh }, csrfToken);
}

/** Me from rows the caller already holds. */
export function meFrom(
  auth: AuthContext,
  user: { login: string; displayName: string; locale: string; unitName: string },
  csrfToken: string,
): Me {
  if (!auth.userId || !auth.role) throw new AppError('FORBIDDEN', 'API keys have no profile.');
  return {
    user: {
      id: auth.userId,
      login: user.login,
      displayName: user.displayName,
      role: auth.role,
      orgUnitId: auth.orgUnitId ?? '',
      orgUnitName: user.unitName,
      locale: Locale.parse(user.locale),
    },
    tenant: { id: auth.tenantId, code: auth.tenantCode, name: auth.tenantName, timeZone: auth.tenantTimeZone },
    permissions: [...auth.permissions],
    scope: auth.scope,
    csrfToken,
  };
}

export async function updateMyProfile(ctx: UseCaseContext, input: { locale?: string; displayName?: string }) {
  await ctx.tx
    .update(users)
    .set({ ...input, updatedAt: new Date() })
    .where(and(eq(users.tenantId, ctx.auth.tenantId), eq(users.id, ctx.auth.userId!)));
}

export async function changeMyPassword(ctx: UseCaseContext, input: { currentPassword: string; newPassword: string }) {
  const [user] = await ctx.tx
    .select()
    .from(users)
    .where(and(eq(users.tenantId, ctx.auth.tenantId), eq(users.id, ctx.auth.userId!)));
  if (!user) throw notFound('User');
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) throw invalid('currentPassword', 'is not your current password');
  if (input.currentPassword === input.newPassword) throw invalid('newPassword', 'must differ from the current password');
  if (input.newPassword.toLowerCase().includes(user.login)) throw invalid('newPassword', 'must not contain your login');
  await ctx.tx
    .update(users)
    .set({ passwordHash: await hashPassword(input.newPassword), passwordChangedAt: new Date() })
    .where(and(eq(users.tenantId, ctx.auth.tenantId), eq(users.id, user.id)));
  // Other devices are signed out; this one stays.
  await revokeUserSessions(ctx.tx, ctx.auth.tenantId, user.id, ctx.auth.sessionId ?? undefined);
  await auditAction(ctx, {
    action: 'auth.password_changed',
    targetType: 'user',
    targetId: user.id,
  });
}
