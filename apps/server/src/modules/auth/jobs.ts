import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineJob } from '../../platform/jobs.js';

/** Hourly: drop sessions past their absolute expiry (idle ones are dropped when next seen). */
export const purgeExpiredSessions = defineJob({
  name: 'auth.purge-expired-sessions',
  payload: z.object({}).passthrough(),
  schedule: '17 * * * *',
  handler: async (_payload, { database, logger }) => {
    const result = (await database.db.execute(sql`delete from sessions where expires_at < now()`)) as unknown as {
      rowCount?: number;
      affectedRows?: number;
    };
    logger.info({ removed: result.rowCount ?? result.affectedRows ?? 0 }, 'expired sessions purged');
  },
});
