import { Permission, ROLE_MATRIX, Role, type DataScope } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import { rowsOf, type Db } from '../../platform/db.js';
import { safeEqual, sha256 } from '../../platform/crypto.js';
import type { SessionPolicy } from './sessions.js';

export interface PrincipalRow {
  tenant_id: string;
  tenant_code: string;
  tenant_name: string;
  tenant_tz: string;
  user_id: string;
  display_name: string;
  role: string;
  org_unit_id: string;
  unit_type: string;
  unit_path: string;
}

/** Subtree roles read below their unit; own-scope roles are anchored at their store (a team's parent). */
function scopePathFor(scope: DataScope, unitType: string, unitPath: string): string {
  if (scope === 'tenant') return '/';
  if (scope === 'own' && unitType === 'team') return unitPath.replace(/[^/]+\/$/, '');
  return unitPath;
}

/** The caller behind a session, from the joined session/user/unit/tenant row. */
export function contextFor(row: PrincipalRow, via: 'session', sessionId: string): AuthContext {
  const role = Role.parse(row.role);
  const { scope, permissions } = ROLE_MATRIX[role];
  return {
    tenantId: row.tenant_id,
    tenantCode: row.tenant_code,
    tenantName: row.tenant_name,
    tenantTimeZone: row.tenant_tz,
    via,
    sessionId,
    apiKeyId: null,
    userId: row.user_id,
    displayName: row.display_name,
    role,
    orgUnitId: row.org_unit_id,
    scopePath: scopePathFor(scope, row.unit_type, row.unit_path),
    scope,
    permissions: new Set(permissions),
  };
}

/**
 * Resolve a session cookie. Runs on the owner connection (before any tenant is known); expired or
 * idle sessions are deleted and answer null.
 */
export async function authenticateSession(db: Db, token: string, policy: SessionPolicy): Promise<AuthContext | null> {
  const sessionId = sha256(token);
  const rows = await rowsOf<PrincipalRow & { expired: boolean; idle: boolean; touch: boolean }>(
    db,
    sql`select s.tenant_id, t.code as tenant_code, t.name as tenant_name, t.time_zone as tenant_tz,
          u.id as user_id, u.display_name, u.role, u.org_unit_id, o.type as unit_type, o.path as unit_path,
          s.expires_at < now() as expired,
          s.last_seen_at < now() - make_interval(mins => ${policy.idleMinutes}) as idle,
          s.last_seen_at < now() - interval '1 minute' as touch
        from sessions s
        join tenants t on t.id = s.tenant_id and t.active
        join users u on u.tenant_id = s.tenant_id and u.id = s.user_id and u.active
        join org_units o on o.tenant_id = u.tenant_id and o.id = u.org_unit_id
        where s.id = ${sessionId}`,
  );
  const row = rows[0];
  if (!row) return null;
  if (row.expired || row.idle) {
    await db.execute(sql`delete from sessions where id = ${sessionId}`);
    return null;
  }
  // Sliding idle window, written at most once a minute per session.
  if (row.touch) await db.execute(sql`update sessions set last_seen_at = now() where id = ${sessionId}`);
  return contextFor(row, 'session', sessionId);
}

interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  tenant_code: string;
  tenant_name: string;
  tenant_tz: string;
  usable: boolean;
  touch: boolean;
}

/** Resolve `fc_<prefix>_<secret>`; revoked, expired or wrong keys answer null. */
export async function authenticateApiKey(db: Db, presented: string): Promise<AuthContext | null> {
  const match = /^fc_([a-z0-9]{10})_([A-Za-z0-9_-]{20,100})$/.exec(presented);
  if (!match) return null;
  const [, prefix, secret] = match;
  const rows = await rowsOf<ApiKeyRow>(
    db,
    sql`select k.id, k.tenant_id, k.name, k.secret_hash, k.scopes, t.code as tenant_code, t.name as tenant_name, t.time_zone as tenant_tz,
          (k.revoked_at is null and (k.expires_at is null or k.expires_at > now())) as usable,
          (k.last_used_at is null or k.last_used_at < now() - interval '1 minute') as touch
        from api_keys k join tenants t on t.id = k.tenant_id and t.active
        where k.prefix = ${`fc_${prefix}`}`,
  );
  const row = rows[0];
  if (!row || !row.usable || !safeEqual(sha256(secret!), row.secret_hash)) return null;
  if (row.touch) await db.execute(sql`update api_keys set last_used_at = now() where prefix = ${`fc_${prefix}`}`);
  const scopes = row.scopes.filter((s): s is Permission => Permission.safeParse(s).success);
  return {
    tenantId: row.tenant_id,
    tenantCode: row.tenant_code,
    tenantName: row.tenant_name,
    tenantTimeZone: row.tenant_tz,
    via: 'api_key',
    sessionId: null,
    apiKeyId: row.id,
    userId: null,
    displayName: row.name,
    role: null,
    orgUnitId: null,
    scopePath: '/',
    scope: 'tenant',
    permissions: new Set(scopes),
  };
}
