import { sql, type SQL } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import { orgUnits } from './schema.js';

/**
 * The one data-scope rule for org-owned rows: the caller's subtree ('/' = whole tenant).
 * Own-scope roles are anchored at their store, so a consultant sees their store's structure.
 */
export function unitInScope(auth: AuthContext): SQL {
  return sql`${orgUnits.path} like ${auth.scopePath + '%'}`;
}

export function pathInScope(auth: AuthContext, path: string): boolean {
  return path.startsWith(auth.scopePath);
}
