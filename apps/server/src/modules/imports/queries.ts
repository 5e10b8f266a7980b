import {
  ImportMapping,
  ImportOutcome,
  ImportStatus,
  type ImportListQuery,
  type ImportRowError,
  type ImportView,
} from '@forecourt/contracts';
import { sql, type SQL } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { fileSize } from './files.js';

/** An imports row as the use cases read it (snake_case, straight from SQL). */
export interface ImportRow {
  id: string;
  source_id: string;
  file_name: string;
  format: 'csv' | 'xlsx';
  file_path: string;
  headers: string[];
  mapping: { columns?: unknown; outcome?: unknown } | null;
  dry_run: boolean;
  status: ImportStatus;
  total_rows: number | string | null;
  processed_rows: number | string;
  ok_rows: number | string;
  error_rows: number | string;
  duplicate_rows: number | string;
  failure: string | null;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  version: number;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
const num = (v: number | string | null) => (v === null ? null : Number(v));

export const NO_OUTCOME: ImportOutcome = { newProfiles: 0, matchedRows: 0, merges: 0 };

/**
 * Imports the caller may see: the tenant's for tenant-wide roles; for a store or region, the imports made
 * through an import source of a unit in its subtree; for own-scope roles, their own.
 */
export function importInScope(auth: AuthContext): SQL {
  if (auth.scope === 'tenant' || auth.scopePath === '/') return sql`true`;
  if (auth.scope === 'own') return sql`i.created_by = ${auth.userId}::uuid`;
  return sql`exists (select 1 from sources s join org_units o on o.tenant_id = s.tenant_id and o.id = s.org_unit_id
                     where s.tenant_id = i.tenant_id and s.id = i.source_id and o.path like ${auth.scopePath + '%'})`;
}

const SELECT = sql`select i.id, i.source_id, i.file_name, i.format, i.file_path, i.headers, i.mapping, i.dry_run, i.status,
                          i.total_rows, i.processed_rows, i.ok_rows, i.error_rows, i.duplicate_rows, i.failure, i.created_by,
                          u.display_name as created_by_name, i.created_at, i.started_at, i.finished_at, i.version
                   from imports i left join users u on u.tenant_id = i.tenant_id and u.id = i.created_by`;

/** An import in the caller's scope, or 404. `lock`: FOR UPDATE of the imports row. */
export async function getImportRow(ctx: UseCaseContext, id: string, opts: { lock?: boolean } = {}): Promise<ImportRow> {
  const [row] = await rowsOf<ImportRow>(
    ctx.tx,
    sql`${SELECT} where i.tenant_id = ${ctx.auth.tenantId}::uuid and i.id = ${id}::uuid and ${importInScope(ctx.auth)}
        ${opts.lock ? sql`for update of i` : sql``}`,
  );
  if (!row) throw notFound('Import');
  return row;
}

export function mappingOf(row: Pick<ImportRow, 'mapping'>): ImportMapping | null {
  if (!row.mapping?.columns) return null;
  const parsed = ImportMapping.safeParse({ columns: row.mapping.columns });
  return parsed.success ? parsed.data : null;
}

export function outcomeOf(row: Pick<ImportRow, 'mapping'>): ImportOutcome {
  const parsed = ImportOutcome.safeParse(row.mapping?.outcome);
  return parsed.success ? parsed.data : NO_OUTCOME;
}

export function toImportView(row: ImportRow, now = Date.now()): ImportView {
  const processed = Number(row.processed_rows);
  const total = num(row.total_rows);
  const started = row.started_at ? new Date(row.started_at).getTime() : null;
  const finished = row.finished_at ? new Date(row.finished_at).getTime() : null;
  const elapsed = started === null ? 0 : ((finished ?? now) - started) / 1000;
  let percent = 0;
  if (row.status === 'done') percent = 100;
  else if (total && total > 0) percent = Math.min(99, Math.floor((processed / total) * 100));
  return {
    id: row.id,
    sourceId: row.source_id,
    fileName: row.file_name,
    format: row.format,
    fileBytes: fileSize(row.file_path),
    headers: row.headers,
    mapping: mappingOf(row),
    dryRun: row.dry_run,
    status: ImportStatus.parse(row.status),
    totalRows: total,
    processedRows: processed,
    okRows: Number(row.ok_rows),
    errorRows: Number(row.error_rows),
    duplicateRows: Number(row.duplicate_rows),
    percent,
    rowsPerSecond: elapsed > 0 && processed > 0 ? Math.round(processed / elapsed) : null,
    outcome: outcomeOf(row),
    failure: row.failure,
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    version: row.version,
  };
}

export async function getImport(ctx: UseCaseContext, id: string): Promise<ImportView> {
  return toImportView(await getImportRow(ctx, id));
}

export async function listImports(
  ctx: UseCaseContext,
  query: ImportListQuery,
): Promise<{ items: ImportView[]; nextCursor: string | null }> {
  const conditions: SQL[] = [sql`i.tenant_id = ${ctx.auth.tenantId}::uuid`, importInScope(ctx.auth)];
  const cursor = decodeCursor(query.cursor, 1);
  if (cursor) conditions.push(sql`i.id < ${String(cursor[0])}::uuid`);
  // UUIDv7 ids sort by creation time.
  const rows = await rowsOf<ImportRow>(
    ctx.tx,
    sql`${SELECT} where ${sql.join(conditions, sql` and `)} order by i.id desc limit ${query.limit + 1}`,
  );
  return pageFrom(
    rows.map((r) => toImportView(r)),
    query.limit,
    (v) => [v.id],
  );
}

export async function listImportErrors(
  ctx: UseCaseContext,
  id: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: ImportRowError[]; nextCursor: string | null }> {
  await getImportRow(ctx, id);
  const cursor = decodeCursor(query.cursor, 1);
  const rows = await rowsOf<{ line: number; errors: ImportRowError['errors'] }>(
    ctx.tx,
    sql`select line, errors from import_errors where tenant_id = ${ctx.auth.tenantId}::uuid and import_id = ${id}::uuid
        ${cursor ? sql`and line > ${Number(cursor[0])}` : sql``} order by line limit ${query.limit + 1}`,
  );
  return pageFrom(rows, query.limit, (r) => [r.line]);
}
