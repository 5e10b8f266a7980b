import { sql } from 'drizzle-orm';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { rowsOf, type Db } from '../../platform/db.js';

/** Who is writing: the tenant and source behind a write key. */
export interface WriteKeyPrincipal {
  tenantId: string;
  sourceId: string;
  sourceKind: string;
  /** Org path of the source's unit, or null for a tenant-wide source. */
  orgUnitId: string | null;
  orgPath: string | null;
}

/** A new write key: `fcw_` + 32 random bytes. Only its sha256 is stored. */
export function newWriteKey(): { key: string; hash: string; prefix: string } {
  const key = `fcw_${randomToken(32)}`;
  return { key, hash: sha256(key), prefix: key.slice(0, 12) };
}

const CACHE_MS = 10_000;

/**
 * Finds write keys before the tenant is known (decision 003). Answers are cached for 10 s, so a
 * revoked key stops working within 10 s on every process.
 */
export class WriteKeyCache {
  private readonly cache = new Map<string, { at: number; principal: WriteKeyPrincipal | null }>();
  private readonly touched = new Set<string>();

  constructor(private readonly db: Db) {}

  async authenticate(key: string): Promise<WriteKeyPrincipal | null> {
    if (!key.startsWith('fcw_') || key.length > 100) return null;
    const hash = sha256(key);
    const hit = this.cache.get(hash);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.principal;
    const [row] = await rowsOf<{ tenant_id: string; source_id: string; kind: string; org_unit_id: string | null; path: string | null }>(
      this.db,
      sql`select k.tenant_id, k.source_id, s.kind, s.org_unit_id, u.path
          from source_keys k
          join sources s on s.tenant_id = k.tenant_id and s.id = k.source_id and s.active
          join tenants t on t.id = k.tenant_id and t.active
          left join org_units u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
          where k.key_hash = ${hash} and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())`,
    );
    const principal = row
      ? { tenantId: row.tenant_id, sourceId: row.source_id, sourceKind: row.kind, orgUnitId: row.org_unit_id, orgPath: row.path }
      : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { at: Date.now(), principal });
    if (principal) this.touched.add(hash);
    return principal;
  }

  /** Forget a key at once (this process); other processes follow within the cache time. */
  forget(hash?: string): void {
    if (hash) this.cache.delete(hash);
    else this.cache.clear();
  }

  /** Write last-used times of the keys seen since the previous call. */
  async flushLastUsed(): Promise<void> {
    if (this.touched.size === 0) return;
    const hashes = [...this.touched];
    this.touched.clear();
    await this.db
      .execute(
        sql`update source_keys set last_used_at = now() where key_hash in (select jsonb_array_elements_text(${JSON.stringify(hashes)}::jsonb))`,
      )
      .catch(() => undefined); // a last-used time is not worth failing anything for
  }
}
