import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.js';

/**
 * Per-source counters, added up in memory and written once a second. Writing them in every
 * acknowledging transaction would serialise all writers of a source on one counter row.
 */
export class SourceCounters {
  private pending = new Map<string, number>();

  add(tenantId: string, sourceId: string, counter: string, n = 1): void {
    if (n === 0) return;
    const k = `${tenantId}|${sourceId}|${counter}`;
    this.pending.set(k, (this.pending.get(k) ?? 0) + n);
  }

  async flush(db: Db): Promise<void> {
    if (this.pending.size === 0) return;
    const rows = [...this.pending].map(([k, value]) => {
      const [tenant_id, source_id, counter] = k.split('|');
      return { tenant_id, source_id, counter, value };
    });
    this.pending = new Map();
    await db.execute(sql`
      insert into source_counters (tenant_id, source_id, counter, value)
      select tenant_id, source_id, counter, value from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(tenant_id uuid, source_id uuid, counter text, value bigint)
      on conflict (tenant_id, source_id, counter)
      do update set value = source_counters.value + excluded.value, updated_at = now()`);
  }
}
