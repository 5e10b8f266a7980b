import { z } from 'zod';
import type { Database } from './db.js';
import { defineJob } from './jobs.js';

/** A table is analysed again once it has grown by this fraction since its last ANALYZE … */
const GROWTH = 0.2;
/** … and when it has at least this many pages (8 KB each): below that a sequential scan is as good as any plan. */
const MIN_PAGES = 8;

/**
 * PostgreSQL's autovacuum keeps planner statistics fresh; the embedded database (PGlite, single user) has no
 * autovacuum, so without this every table looks empty to the planner, and a join against a jsonb list of ids
 * becomes a nested loop over the whole table (a lead intake at 20,000 leads spent 13 ms in one such update).
 * This is the embedded replacement: ANALYZE each table whose file grew by a fifth since the statistics were
 * taken (`relpages` is what ANALYZE last saw; `pg_relation_size` is a file stat). On PostgreSQL it does nothing.
 * Returns the tables it analysed.
 */
export async function analyzeGrownTables(database: Database): Promise<string[]> {
  if (database.kind !== 'pglite') return [];
  const { rows } = await database.raw.query(
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname in ('public', 'pgboss')
        and pg_relation_size(c.oid) / current_setting('block_size')::int >= $1
        and pg_relation_size(c.oid) / current_setting('block_size')::int > greatest(c.relpages, 0) * (1 + $2::float8)
      order by 1`,
    [MIN_PAGES, GROWTH],
  );
  const names = rows.map((r) => String(r.name));
  for (const name of names) await database.raw.exec(`analyze ${name}`);
  return names;
}

/**
 * Every minute on the embedded database (a no-op on PostgreSQL, whose autovacuum does this): a table loaded
 * fast (an import) needs new statistics early, and a table that did not grow costs one file-size lookup.
 */
export const embeddedAnalyzeJob = defineJob({
  name: 'platform.embedded-analyze',
  payload: z.object({}).passthrough(),
  schedule: '* * * * *',
  handler: async (_payload, { database, logger }) => {
    const tables = await analyzeGrownTables(database);
    if (tables.length > 0) logger.info({ tables }, 'planner statistics refreshed');
  },
});
