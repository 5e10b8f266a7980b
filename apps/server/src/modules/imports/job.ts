import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, type Database } from '../../platform/db.js';
import { defineJob, type Jobs } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { removeUpload } from './files.js';
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

/** An upload that no import finishes within this many days is deleted: the file holds personal data in clear text. */
export const UPLOAD_RETENTION_DAYS = 7;

/**
 * Deletes the files of abandoned imports (uploaded or mapped but never run, a dry run never followed by the real
 * one, a failed run never resumed) older than the retention, and marks those imports cancelled with the reason.
 * Returns how many it expired.
 */
export async function expireAbandonedUploads(database: Database, days = UPLOAD_RETENTION_DAYS): Promise<number> {
  const rows = await rowsOf<{ file_path: string }>(
    database.db,
    sql`update imports set status = 'cancelled', finished_at = now(), version = version + 1,
               failure = ${`The uploaded file was deleted after ${days} days without a finished import; upload it again to import it.`}
        where created_at < now() - make_interval(days => ${days}::int)
          and (status in ('uploaded', 'mapped', 'failed') or (status = 'done' and dry_run))
        returning file_path`,
  );
  for (const r of rows) removeUpload(r.file_path);
  return rows.length;
}

/** Daily: the files of abandoned imports go (UPLOAD_RETENTION_DAYS). */
export const expireUploadsJob = defineJob({
  name: 'imports.expire-uploads',
  payload: z.object({}).passthrough(),
  schedule: '47 2 * * *',
  handler: async (_payload, { database, logger }) => {
    const expired = await expireAbandonedUploads(database);
    if (expired > 0) logger.info({ expired }, 'abandoned import uploads deleted');
  },
});
