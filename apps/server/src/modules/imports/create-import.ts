import type { ImportPreview } from '@forecourt/contracts';
import type { UseCaseContext } from '../../platform/context.js';
import { auditAction } from '../audit/record-audit.js';
import { ensureImportSource } from '../ingest/sources.js';
import type { FilePreview } from './preview.js';
import { getImportRow, toImportView } from './queries.js';
import { imports } from './schema.js';

export interface StoredUpload {
  id: string;
  fileName: string;
  format: 'csv' | 'xlsx';
  filePath: string;
  bytes: number;
}

/**
 * Record an uploaded file as a new import of the caller's import source (the tenant's, or the store's
 * for a store-scoped user); the file is already on disk and its first rows were read into `preview`.
 */
export async function createImport(ctx: UseCaseContext, upload: StoredUpload, preview: FilePreview): Promise<ImportPreview> {
  const tenantWide = ctx.auth.scope === 'tenant' || ctx.auth.scopePath === '/';
  const sourceId = await ensureImportSource(ctx, tenantWide ? null : ctx.auth.orgUnitId);
  await ctx.tx.insert(imports).values({
    tenantId: ctx.auth.tenantId,
    id: upload.id,
    sourceId,
    fileName: upload.fileName,
    format: upload.format,
    filePath: upload.filePath,
    headers: preview.headers,
    createdBy: ctx.auth.userId,
  });
  await auditAction(ctx, {
    action: 'import.uploaded',
    targetType: 'import',
    targetId: upload.id,
    details: { format: upload.format, bytes: upload.bytes, columns: preview.headers.length },
  });
  const view = toImportView(await getImportRow(ctx, upload.id));
  return { import: view, ...previewFields(preview) };
}

export function previewFields(preview: FilePreview): Omit<ImportPreview, 'import'> {
  const { headers, mapping, suggested, mappingProblem, samples, rows } = preview;
  return { headers, mapping, suggested, mappingProblem, samples, rows };
}
