import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, type Database } from '../../platform/db.js';
import { defineJob, type Jobs } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { runImport } from './run-import.js';

/** Runs one import (or its dry run) to the end. Safe to run twice at once: the second stops at its first batch. */
export const importJob = defineJob({
  name: 'imports.run',
  payload: z.object({ tenantId: z.string().uuid(), importId: z.string().uuid() }),
  // A 1,000,000-row file takes minutes; a run that dies is resumed at start-up, not by pg-boss's retry.
  expireInSeconds: 4 * 3600,
  retryLimit: 1,
  handler: async ({ tenantId, importId }, deps) => {
    const result = await runImport(deps, tenantId, importId);
    deps.logger.info({ tenantId, importId, result }, 'import run ended');
  },
});

/**
 * At start-up of a process that runs workers: queue again every import that was queued or running, so an
 * import whose process was killed carries on from its last committed batch. A run still alive in another
 * process keeps going; the duplicate stops at its first batch.
 */
export async function resumeImports(database: Database, jobs: Jobs, logger: Logger): Promise<number> {
  const rows = await rowsOf<{ tenant_id: string; id: string }>(
    database.db,
    sql`select tenant_id, id from imports where status in ('queued', 'running')`,
  );
  for (const r of rows) await jobs.send(importJob, { tenantId: r.tenant_id, importId: r.id });
  if (rows.length > 0) logger.info({ imports: rows.length }, 'imports queued again after a restart');
  return rows.length;
}
