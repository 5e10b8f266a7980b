import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../platform/db.js';
import { defineJob } from '../../platform/jobs.js';

/**
 * How long a tracking messageId is remembered. A retry comes within minutes (server libraries) or, from a
 * phone that was offline, within days; a month is far beyond both. Import rows (`import:` ids) are kept:
 * they make a re-import of the same file idempotent however late it comes.
 */
export const MESSAGE_ID_RETENTION_DAYS = 30;
const CHUNK = 50_000;

/** Deletes expired tracking messageIds in chunks, so no single statement holds locks for long. */
export async function purgeMessageIds(database: Database, days = MESSAGE_ID_RETENTION_DAYS): Promise<number> {
  let removed = 0;
  for (;;) {
    const result = (await database.db.execute(sql`
      delete from message_ids where ctid in (
        select ctid from message_ids
        where received_at < now() - make_interval(days => ${days}::int) and message_id not like 'import:%'
        limit ${CHUNK})`)) as unknown as { rowCount?: number; affectedRows?: number };
    const n = result.rowCount ?? result.affectedRows ?? 0;
    removed += n;
    if (n < CHUNK) return removed;
  }
}

/** Daily: forget tracking messageIds older than the retention window. */
export const purgeMessageIdsJob = defineJob({
  name: 'ingest.purge-message-ids',
  payload: z.object({}).passthrough(),
  schedule: '23 3 * * *',
  handler: async (_payload, { database, logger }) => {
    logger.info({ removed: await purgeMessageIds(database) }, 'expired messageIds purged');
  },
});
