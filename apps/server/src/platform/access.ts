import type { DataScope, Permission, Role } from '@forecourt/contracts';

/**
 * What every route must declare. `public`: anyone (health, login); `authenticated`: any signed-in
 * user, on their own records only (`self`); otherwise a permission from the matrix, with the data
 * scope the handler applies.
 */
export type RouteAccess =
  | { permission: 'public'; scope: 'none' }
  | { permission: 'authenticated'; scope: 'self' }
  /** Tracking endpoints: a source's write key (Basic user or `writeKey` in the body) that can only write events. */
  | { permission: 'write_key'; scope: 'source' }
  | { permission: Permission; scope: 'role' | 'tenant'; csrf?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

/** Who is calling, resolved once per request from the session cookie or the API key. */
export interface AuthContext {
  tenantId: string;
  tenantCode: string;
  tenantName: string;
  tenantTimeZone: string;
  via: 'session' | 'api_key';
  sessionId: string | null;
  apiKeyId: string | null;
  userId: string | null;
  displayName: string;
  role: Role | null;
  orgUnitId: string | null;
  /** The org path a subtree-scoped caller is limited to ('/' for the whole tenant). */
  scopePath: string;
  scope: DataScope;
  permissions: ReadonlySet<Permission>;
}

/** Request facts that go into audit entries. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** The actor for audit entries and `created_by` columns. */
export function actorOf(auth: AuthContext): { actorId: string | null; actorName: string } {
  return { actorId: auth.userId ?? auth.apiKeyId, actorName: auth.via === 'api_key' ? `api-key:${auth.displayName}` : auth.displayName };
}
