import { sql, type SQL } from 'drizzle-orm';
import { pgPolicy, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** The current transaction's tenant, or NULL outside withTenant (which then matches no row). */
export const currentTenant = sql`nullif(current_setting('app.tenant_id', true), '')::uuid`;

/** Row-level security: a row is visible and writable only inside its own tenant's transaction. */
export function tenantPolicy(column: AnyPgColumn) {
  const check: SQL = sql`${column} = ${currentTenant}`;
  return pgPolicy('tenant_isolation', { as: 'permissive', for: 'all', using: check, withCheck: check });
}
