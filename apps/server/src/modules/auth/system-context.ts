import { Permission } from '@forecourt/contracts';
import { eq } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { tenants } from '../org/schema.js';

/** The caller for CLI commands run by an operator on the server: whole tenant, every permission. */
export async function systemContext(db: Db, tenantCode: string): Promise<AuthContext> {
  const [tenant] = await db.select().from(tenants).where(eq(tenants.code, tenantCode.toLowerCase()));
  if (!tenant) throw new AppError('NOT_FOUND', `No tenant with code ${tenantCode}.`);
  return {
    tenantId: tenant.id,
    tenantCode: tenant.code,
    tenantName: tenant.name,
    tenantTimeZone: tenant.timeZone,
    via: 'session',
    sessionId: null,
    apiKeyId: null,
    userId: null,
    displayName: 'forecourt-cli',
    role: 'platform_admin',
    orgUnitId: null,
    scopePath: '/',
    scope: 'tenant',
    permissions: new Set(Permission.options),
  };
}
