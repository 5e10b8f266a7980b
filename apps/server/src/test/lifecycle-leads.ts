import type { LeadStage } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../platform/db.js';
import { uuidv7 } from '../platform/ids.js';
import type { TestApp } from './harness.js';

/**
 * Leads for lifecycle tests, inserted as rows (intake and routing have their own tests): a profile,
 * a lead at a demo store owned by a demo consultant, at any stage.
 */
export interface LeadFixture {
  tenantId: string;
  userId(login: string): string;
  makeLead(opts?: {
    store?: string;
    owner?: string | null;
    stage?: LeadStage;
    furthest?: LeadStage;
    name?: string;
    lastActivityDaysAgo?: number;
  }): Promise<{ id: string; profileId: string }>;
}

export async function leadFixture(t: TestApp): Promise<LeadFixture> {
  const db = t.database.db;
  const [tenant] = await rowsOf<{ id: string }>(db, sql`select id from tenants where code = 'demo'`);
  const tenantId = tenant!.id;
  const stores = new Map(
    (
      await rowsOf<{ code: string; id: string; path: string }>(
        db,
        sql`select code, id, path from org_units where tenant_id = ${tenantId}::uuid`,
      )
    ).map((u) => [u.code, u]),
  );
  const users = new Map(
    (await rowsOf<{ login: string; id: string }>(db, sql`select login, id from users where tenant_id = ${tenantId}::uuid`)).map((u) => [
      u.login,
      u.id,
    ]),
  );
  const sourceId = uuidv7();
  await db.execute(
    sql`insert into sources (tenant_id, id, name, kind) values (${tenantId}::uuid, ${sourceId}::uuid, '汽车之家', 'lead_platform')`,
  );
  let n = 0;
  return {
    tenantId,
    userId: (login) => {
      const id = users.get(login);
      if (!id) throw new Error(`no demo user ${login}`);
      return id;
    },
    async makeLead(opts = {}) {
      n += 1;
      const store = stores.get(opts.store ?? 'SHA01')!;
      const owner = opts.owner === undefined ? 'sha01.sales1' : opts.owner;
      const ownerId = owner ? users.get(owner)! : null;
      const stage = opts.stage ?? 'new';
      const profileId = uuidv7();
      const id = uuidv7();
      const name = opts.name ?? `测试客户${n}`;
      const last = new Date(Date.now() - (opts.lastActivityDaysAgo ?? 0) * 86_400_000).toISOString();
      await db.execute(sql`insert into profiles (tenant_id, id, name, owner_user_id, last_seen_at)
        values (${tenantId}::uuid, ${profileId}::uuid, ${name}, ${ownerId}::uuid, now())`);
      await db.execute(sql`insert into leads (tenant_id, id, profile_id, source_id, intake, store_id, store_path, owner_user_id, customer_name,
                                              stage, furthest_stage, first_contact_due_at, assigned_at, last_activity_at, last_inquiry_at, created_at)
        values (${tenantId}::uuid, ${id}::uuid, ${profileId}::uuid, ${sourceId}::uuid, 'api', ${store.id}::uuid, ${store.path}, ${ownerId}::uuid,
                ${name}, ${stage}, ${opts.furthest ?? (stage === 'lost' || stage === 'dormant' ? 'new' : stage)},
                now() + interval '30 minutes', now(), ${last}::timestamptz, ${last}::timestamptz, ${last}::timestamptz)`);
      return { id, profileId };
    },
  };
}
