import { sql, type SQL } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import type { CdpSettings } from '../identity/settings.js';

/**
 * The data scope of profiles, as a condition on `p` (profiles): the OEM sees the tenant; a store,
 * group or region sees the profiles linked to work in its subtree (or all, if the tenant shares
 * them); a consultant sees the customers they own and the customers of the leads they work (a lead
 * reassigned to them brings its customer along, whoever owned the profile first).
 */
export function profileInScope(auth: AuthContext, settings: CdpSettings): SQL {
  if (auth.scope === 'tenant' || auth.scopePath === '/') return sql`true`;
  if (auth.scope === 'own')
    return sql`(p.owner_user_id = ${auth.userId}::uuid or exists (select 1 from leads l where l.tenant_id = p.tenant_id and l.profile_id = p.id and l.owner_user_id = ${auth.userId}::uuid))`;
  if (settings.profileVisibility === 'tenant') return sql`true`;
  return sql`exists (select 1 from profile_units u where u.tenant_id = p.tenant_id and u.profile_id = p.id and u.path like ${auth.scopePath + '%'})`;
}
