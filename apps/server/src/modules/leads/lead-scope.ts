import { sql, type SQL } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';

/**
 * The data scope of leads, as a condition on `l` (leads). Tenant roles see every lead. Subtree roles
 * see the leads of stores in their subtree (store_path); managers (leads.assign) also see the tenant's
 * unrouted leads, which belong to no store yet. Own-scope roles (consultants, DCC agents) see the leads
 * they own and their store's claim pool (抢单), which waits for one of them.
 */
export function leadInScope(auth: AuthContext): SQL {
  if (auth.scope === 'tenant' || auth.scopePath === '/') return sql`true`;
  const under = auth.scopePath + '%';
  if (auth.scope === 'own') {
    return sql`(l.owner_user_id = ${auth.userId}::uuid
      or (l.owner_user_id is null and l.claim_until is not null and l.store_path like ${under}))`;
  }
  if (auth.permissions.has('leads.assign')) return sql`(l.store_path like ${under} or (l.store_id is null and l.store_path is null))`;
  return sql`l.store_path like ${under}`;
}
