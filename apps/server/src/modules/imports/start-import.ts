import type { ImportView, StartImport } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { conflict } from '../../platform/errors.js';
import { auditAction } from '../audit/record-audit.js';
import { getImportRow, mappingOf, toImportView } from './queries.js';

/**
 * Queue an import (or its dry run). The caller sends the job after the commit. A fresh start clears the
 * figures; a failed or interrupted run of the same kind resumes from the last committed batch instead,
 * so its figures stay right (rows are idempotent by fingerprint either way).
 */
export async function startImport(ctx: UseCaseContext, id: string, input: StartImport): Promise<ImportView> {
  const row = await getImportRow(ctx, id, { lock: true });
  if (row.version !== input.version) throw conflict('The import was changed by someone else; reload and try again.');
  if (!mappingOf(row)) throw conflict('mapping: save the column mapping before you start the import.');
  const sameKind = row.dry_run === input.dryRun;
  let mode: 'fresh' | 'resume';
  if (row.status === 'mapped' || (row.status === 'done' && row.dry_run)) mode = 'fresh';
  else if (row.status === 'failed') mode = sameKind ? 'resume' : 'fresh';
  else if ((row.status === 'queued' || row.status === 'running') && sameKind) mode = 'resume';
  else if (row.status === 'queued' || row.status === 'running') throw conflict('The import is already running.');
  else throw conflict(`The import is ${row.status}; upload the file again to import it again.`);

  const t = ctx.auth.tenantId;
  if (mode === 'fresh') {
    await ctx.tx.execute(sql`
      update imports set status = 'queued', dry_run = ${input.dryRun}, total_rows = null, processed_rows = 0, ok_rows = 0,
             error_rows = 0, duplicate_rows = 0, failure = null, started_at = null, finished_at = null,
             mapping = mapping - 'outcome', version = version + 1
      where tenant_id = ${t}::uuid and id = ${id}::uuid`);
    await ctx.tx.execute(sql`delete from import_errors where tenant_id = ${t}::uuid and import_id = ${id}::uuid`);
  } else {
    await ctx.tx.execute(sql`
      update imports set status = case when status = 'running' then 'running' else 'queued' end, failure = null,
             finished_at = null, version = version + 1
      where tenant_id = ${t}::uuid and id = ${id}::uuid`);
  }
  await auditAction(ctx, { action: 'import.started', targetType: 'import', targetId: id, details: { dryRun: input.dryRun, mode } });
  return toImportView(await getImportRow(ctx, id));
}

/** Stop an import: the job stops after its current batch; what it committed stays. The file is removed. */
export async function cancelImport(ctx: UseCaseContext, id: string): Promise<{ view: ImportView; filePath: string }> {
  const row = await getImportRow(ctx, id, { lock: true });
  if (row.status === 'cancelled' || (row.status === 'done' && !row.dry_run)) throw conflict(`The import is already ${row.status}.`);
  await ctx.tx.execute(sql`
    update imports set status = 'cancelled', finished_at = now(), version = version + 1
    where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid`);
  await auditAction(ctx, {
    action: 'import.cancelled',
    targetType: 'import',
    targetId: id,
    details: { processedRows: Number(row.processed_rows), dryRun: row.dry_run },
  });
  return { view: toImportView(await getImportRow(ctx, id)), filePath: row.file_path };
}
