import type { ImportPreview, SaveImportMapping } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { AppError, conflict } from '../../platform/errors.js';
import { auditAction } from '../audit/record-audit.js';
import { previewFields } from './create-import.js';
import { readPreview } from './preview.js';
import { getImportRow, mappingOf, toImportView } from './queries.js';

/**
 * Save the column mapping and answer the preview it gives. Allowed until the import runs for real; a
 * mapping saved after a dry run makes the import `mapped` again (the dry run's figures no longer apply).
 */
export async function saveMapping(ctx: UseCaseContext, id: string, input: SaveImportMapping): Promise<ImportPreview> {
  const row = await getImportRow(ctx, id, { lock: true });
  const editable = row.status === 'uploaded' || row.status === 'mapped' || (row.status === 'done' && row.dry_run);
  if (!editable) throw conflict(`The import is ${row.status}; its mapping can no longer change.`);
  if (row.version !== input.version) throw conflict('The import was changed by someone else; reload and try again.');
  const preview = await readPreview({ path: row.file_path, format: row.format }, input.mapping);
  const width = preview.samples.length;
  input.mapping.columns.forEach((column, i) => {
    if (column.index >= width) {
      throw new AppError(
        'VALIDATION_FAILED',
        `mapping.columns.${i}.index: the file has ${width} columns; column ${column.index + 1} does not exist.`,
        [{ path: `mapping.columns.${i}.index`, message: `at most ${width - 1}` }],
      );
    }
  });
  await ctx.tx.execute(sql`
    update imports set mapping = ${JSON.stringify({ columns: input.mapping.columns })}::jsonb, status = 'mapped', dry_run = false,
           total_rows = null, processed_rows = 0, ok_rows = 0, error_rows = 0, duplicate_rows = 0, failure = null,
           started_at = null, finished_at = null, version = version + 1
    where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid`);
  await ctx.tx.execute(sql`delete from import_errors where tenant_id = ${ctx.auth.tenantId}::uuid and import_id = ${id}::uuid`);
  await auditAction(ctx, {
    action: 'import.mapped',
    targetType: 'import',
    targetId: id,
    details: { fields: [...new Set(input.mapping.columns.map((c) => c.field))].filter((f) => f !== 'ignore') },
  });
  return { import: toImportView(await getImportRow(ctx, id)), ...previewFields(preview) };
}

/** The preview of an import as it stands: the saved mapping, or the suggestion from the headers. */
export async function getPreview(ctx: UseCaseContext, id: string): Promise<ImportPreview> {
  const row = await getImportRow(ctx, id);
  if (row.status === 'cancelled' || (row.status === 'done' && !row.dry_run)) {
    throw conflict(`The import is ${row.status}; its file has been removed.`);
  }
  const preview = await readPreview({ path: row.file_path, format: row.format }, mappingOf(row));
  return { import: toImportView(row), ...previewFields(preview) };
}
