import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy } from '../../platform/tenant-policy.js';

/** A customer import: the uploaded file, its column mapping, and its progress as a job. */
export const imports = pgTable(
  'imports',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    sourceId: uuid('source_id').notNull(),
    fileName: text('file_name').notNull(),
    format: text('format').notNull(),
    /** Where the upload sits on disk (data directory); removed when the import finishes. */
    filePath: text('file_path').notNull(),
    headers: text('headers')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** `{ columns }` (ImportMapping) once saved; the job adds `outcome` (profiles created, rows matched, merges). */
    mapping: jsonb('mapping').$type<Record<string, unknown>>(),
    dryRun: boolean('dry_run').notNull().default(false),
    status: text('status').notNull().default('uploaded'),
    totalRows: bigint('total_rows', { mode: 'number' }),
    processedRows: bigint('processed_rows', { mode: 'number' }).notNull().default(0),
    okRows: bigint('ok_rows', { mode: 'number' }).notNull().default(0),
    errorRows: bigint('error_rows', { mode: 'number' }).notNull().default(0),
    duplicateRows: bigint('duplicate_rows', { mode: 'number' }).notNull().default(0),
    failure: text('failure'),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('imports_created_idx').on(t.tenantId, t.createdAt), tenantPolicy(t.tenantId)],
);

/** A rejected row, by its line number in the file; personal values in `errors` are masked. */
export const importErrors = pgTable(
  'import_errors',
  {
    tenantId: uuid('tenant_id').notNull(),
    importId: uuid('import_id').notNull(),
    line: integer('line').notNull(),
    errors: jsonb('errors').$type<Array<{ column: number; field: string; value: string; message: string }>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.importId, t.line] }), tenantPolicy(t.tenantId)],
);
