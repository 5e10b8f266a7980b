import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import type { RowError } from './parse/map-row.js';
import { getImportRow } from './queries.js';

/** RFC 4180 field; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
function csvField(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every rejected row of an import, one line per problem, values masked as stored; with a BOM for Excel. */
export async function errorsCsv(ctx: UseCaseContext, id: string): Promise<{ csv: string; fileName: string; rows: number }> {
  const row = await getImportRow(ctx, id);
  const rows = await rowsOf<{ line: number; errors: RowError[] }>(
    ctx.tx,
    sql`select line, errors from import_errors where tenant_id = ${ctx.auth.tenantId}::uuid and import_id = ${id}::uuid order by line`,
  );
  const lines = ['line,column,field,value,message'];
  for (const r of rows) {
    for (const e of r.errors) lines.push([r.line, e.column + 1, e.field, e.value, e.message].map(csvField).join(','));
  }
  const base = row.file_name.replace(/\.[^.]+$/, '').replace(/[^\w\u4e00-\u9fff-]+/g, '_') || 'import';
  return { csv: '\uFEFF' + lines.join('\r\n') + '\r\n', fileName: encodeURIComponent(`${base}-errors.csv`), rows: rows.length };
}
