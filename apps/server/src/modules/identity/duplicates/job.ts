import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf } from '../../../platform/db.js';
import { defineJob } from '../../../platform/jobs.js';
import { runDuplicateScan } from './scan.js';

/**
 * Every 5 minutes: keys and scores the profiles that changed since the last run, in every tenant with work
 * queued (or one tenant, when a payload names it). Each tenant gets a 2-minute budget per run; what is left
 * waits for the next run.
 */
export const duplicateScanJob = defineJob({
  name: 'identity.duplicate-scan',
  payload: z.object({ tenantId: z.string().uuid().optional() }).passthrough(),
  schedule: '*/5 * * * *',
  expireInSeconds: 15 * 60,
  retryLimit: 0, // the next scheduled run retries
  handler: async ({ tenantId }, { database, keys, logger }) => {
    const tenants = tenantId
      ? [tenantId]
      : (await rowsOf<{ id: string }>(database.db, sql`select id from tenants where active order by id`)).map((r) => r.id);
    for (const id of tenants) {
      const result = await runDuplicateScan(database, keys, id, { budgetMs: 120_000 });
      if (result.profiles > 0) logger.info({ tenantId: id, ...result }, 'duplicate scan');
    }
  },
});
