import type { AuthContext, RequestMeta } from './access.js';
import type { Keys } from './crypto.js';
import type { Tx } from './db.js';

/** What a use case gets: a tenant-bound transaction, the caller, the keys and request facts. */
export interface UseCaseContext {
  tx: Tx;
  auth: AuthContext;
  keys: Keys;
  meta: RequestMeta;
}
