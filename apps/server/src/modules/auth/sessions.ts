import { and, eq, ne } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { hmac, randomToken, sha256, type Keys } from '../../platform/crypto.js';
import { sessions } from './schema.js';

export const SESSION_COOKIE = 'fc_session';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** Creates a session; returns the cookie token (only its hash is stored). */
export async function createSession(
  tx: Executor,
  input: { tenantId: string; userId: string; ip: string | null; userAgent: string | null; policy: SessionPolicy },
): Promise<{ token: string; sessionId: string }> {
  const token = randomToken(32);
  const sessionId = sha256(token);
  await tx.insert(sessions).values({
    id: sessionId,
    tenantId: input.tenantId,
    userId: input.userId,
    expiresAt: new Date(Date.now() + input.policy.absoluteHours * 3600_000),
    ip: input.ip,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
  });
  return { token, sessionId };
}

/** CSRF token bound to the session: valid only with this session's cookie. */
export function csrfTokenFor(keys: Keys, sessionId: string): string {
  return hmac(keys.session, `csrf:${sessionId}`);
}

export async function revokeSession(tx: Executor, sessionId: string): Promise<void> {
  await tx.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function revokeUserSessions(tx: Executor, tenantId: string, userId: string, exceptSessionId?: string): Promise<void> {
  const where = [eq(sessions.tenantId, tenantId), eq(sessions.userId, userId)];
  if (exceptSessionId) where.push(ne(sessions.id, exceptSessionId));
  await tx.delete(sessions).where(and(...where));
}
