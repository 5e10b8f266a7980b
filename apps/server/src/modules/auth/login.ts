import type { Me } from '@forecourt/contracts';
import { and, eq, sql } from 'drizzle-orm';
import type { RequestMeta } from '../../platform/access.js';
import { hashPassword, needsRehash, verifyPassword, type Keys } from '../../platform/crypto.js';
import { withTenant, type Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { orgUnits, tenants, users } from '../org/schema.js';
import { contextFor } from './authenticate.js';
import { createSession, csrfTokenFor, type SessionPolicy } from './sessions.js';
import { meFrom } from './me.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

// Verifying against a real hash when the user doesn't exist keeps the response time the same.
let dummyHash: Promise<string> | undefined;
const burnTime = async (password: string) => verifyPassword(password, await (dummyHash ??= hashPassword('not-a-real-password-0')));

type Outcome = { ok: true; token: string; me: Me } | { ok: false; error: AppError };

const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 'Tenant, login or password is wrong.');

export async function login(
  deps: { db: Db; keys: Keys; policy: SessionPolicy },
  input: { tenant: string; login: string; password: string },
  meta: RequestMeta,
): Promise<{ token: string; me: Me }> {
  const [tenant] = await deps.db
    .select()
    .from(tenants)
    .where(and(eq(tenants.code, input.tenant.toLowerCase()), eq(tenants.active, true)));
  if (!tenant) {
    await burnTime(input.password);
    throw invalidCredentials();
  }
  const loginName = input.login.trim().toLowerCase();
  const outcome = await withTenant(deps.db, tenant.id, async (tx): Promise<Outcome> => {
    const [found] = await tx
      .select({ user: users, unitType: orgUnits.type, unitPath: orgUnits.path, unitName: orgUnits.nameZh })
      .from(users)
      .innerJoin(orgUnits, and(eq(orgUnits.tenantId, users.tenantId), eq(orgUnits.id, users.orgUnitId)))
      .where(and(eq(users.tenantId, tenant.id), eq(users.login, loginName)));
    const user = found?.user;
    const base = { tenantId: tenant.id, meta, targetType: 'user' };
    if (!user || !user.active) {
      await burnTime(input.password);
      await recordAudit(tx, {
        ...base,
        action: 'auth.login_failed',
        actorId: null,
        actorName: null,
        details: { login: loginName, reason: user ? 'inactive' : 'unknown_login' },
      });
      return { ok: false, error: invalidCredentials() };
    }
    const actor = { actorId: user.id, actorName: user.displayName, targetId: user.id };
    if (user.lockedUntil && user.lockedUntil > new Date()) {
      await recordAudit(tx, { ...base, ...actor, action: 'auth.login_failed', details: { reason: 'locked' } });
      return { ok: false, error: locked(user.lockedUntil) };
    }
    if (!(await verifyPassword(input.password, user.passwordHash))) {
      const failures = user.failedLogins + 1;
      const lockNow = failures >= MAX_FAILED_LOGINS;
      const lockedUntil = lockNow ? new Date(Date.now() + LOCKOUT_MINUTES * 60_000) : null;
      await tx
        .update(users)
        .set({ failedLogins: lockNow ? 0 : failures, lockedUntil })
        .where(and(eq(users.tenantId, tenant.id), eq(users.id, user.id)));
      await recordAudit(tx, { ...base, ...actor, action: 'auth.login_failed', details: { reason: 'wrong_password', failures } });
      if (lockNow && lockedUntil) {
        await recordAudit(tx, { ...base, ...actor, action: 'auth.locked', details: { minutes: LOCKOUT_MINUTES } });
        return { ok: false, error: locked(lockedUntil) };
      }
      return { ok: false, error: invalidCredentials() };
    }
    // A hash made with older parameters is replaced now that the password is known.
    const passwordHash = needsRehash(user.passwordHash) ? await hashPassword(input.password) : undefined;
    await tx
      .update(users)
      .set({ failedLogins: 0, lockedUntil: null, lastLoginAt: sql`now()`, ...(passwordHash ? { passwordHash } : {}) })
      .where(and(eq(users.tenantId, tenant.id), eq(users.id, user.id)));
    await recordAudit(tx, { ...base, ...actor, action: 'auth.login', details: passwordHash ? { passwordRehashed: true } : {} });
    const { token, sessionId } = await createSession(tx, {
      tenantId: tenant.id,
      userId: user.id,
      ip: meta.ip,
      userAgent: meta.userAgent,
      policy: deps.policy,
    });
    const auth = contextFor(
      {
        tenant_id: tenant.id,
        tenant_code: tenant.code,
        tenant_name: tenant.name,
        tenant_tz: tenant.timeZone,
        user_id: user.id,
        display_name: user.displayName,
        role: user.role,
        org_unit_id: user.orgUnitId,
        unit_type: found!.unitType,
        unit_path: found!.unitPath,
      },
      'session',
      sessionId,
    );
    const me = meFrom(
      auth,
      { login: user.login, displayName: user.displayName, locale: user.locale, unitName: found!.unitName },
      csrfTokenFor(deps.keys, sessionId),
    );
    return { ok: true, token, me };
  });
  // Failures are committed (audit, counters) before the error is raised.
  if (!outcome.ok) throw outcome.error;
  return { token: outcome.token, me: outcome.me };
}

function locked(until: Date) {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return new AppError('ACCOUNT_LOCKED', `Too many failed logins: the account is locked for ${minutes} more minute(s).`, {
    lockedUntil: until.toISOString(),
  });
}
