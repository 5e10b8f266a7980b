import type { LeadFileImportResult } from '@forecourt/contracts';
import type { Database } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { UseCaseContext } from '../../platform/context.js';
import { readRows, type ImportFormat, type SourceRow } from '../imports/parse/read-rows.js';
import { createLead, intakeContextOf } from './create-lead.js';
import { mapCsvLeadRows, suggestLeadColumns } from './parse/csv.js';

/** Bigger files go through the API in batches: each row is its own transaction, and the answer waits for all. */
export const MAX_LEAD_FILE_ROWS = 2000;

/**
 * A CSV or XLSX file of leads (a lead platform's export, an auto show's sign-up sheet): columns are matched
 * by their header, each row goes through the same intake as an API lead in its own transaction, so a bad
 * row is reported by its line and the good ones still go in. External ids make a re-import idempotent.
 */
export async function importLeadFile(
  inTenant: <T>(fn: (ctx: UseCaseContext) => Promise<T>) => Promise<T>,
  driver: Database['kind'],
  o: { file: string; format: ImportFormat; sourceId: string },
): Promise<LeadFileImportResult> {
  let header: string[] | null = null;
  const rows: SourceRow[] = [];
  for await (const row of readRows({ path: o.file, format: o.format })) {
    if (!header) {
      header = row.cells.map((c) => c.trim());
      continue;
    }
    rows.push(row);
    if (rows.length > MAX_LEAD_FILE_ROWS)
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `file: more than ${MAX_LEAD_FILE_ROWS} leads; split it, or send them through POST /v1/leads.`,
      );
  }
  if (!header || rows.length === 0) throw new AppError('VALIDATION_FAILED', 'file: there are no data rows below the header row.');
  const mapping = suggestLeadColumns(header);
  if (!mapping.fields['customer.phone'] && !mapping.fields['customer.email'])
    throw new AppError(
      'VALIDATION_FAILED',
      'file: no column was recognised as the customer’s phone (手机/电话/phone) or e-mail (邮箱/email); rename the header.',
    );
  const mapped = mapCsvLeadRows(header, rows, mapping);
  const result: LeadFileImportResult = {
    rows: rows.length,
    created: 0,
    inquiries: 0,
    duplicates: 0,
    mapping: Object.fromEntries(Object.entries(mapping.fields).map(([field, column]) => [field, String(column)])),
    results: [],
    problems: mapped.problems.map((p) => ({ line: rows[p.index]?.line ?? 1, path: p.path, message: p.message })),
  };
  for (const { line, lead } of mapped.leads) {
    try {
      const r = await inTenant((ctx) =>
        createLead(intakeContextOf(ctx, driver), {
          sourceId: o.sourceId,
          intake: 'import',
          input: lead,
          raw: JSON.stringify({ line, lead }),
          receivedAt: new Date(),
        }),
      );
      result.results.push({ line, leadId: r.leadId, status: r.status });
      if (r.status === 'created') result.created += 1;
      else if (r.status === 'inquiry') result.inquiries += 1;
      else result.duplicates += 1;
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      const path = Array.isArray(err.details) ? String((err.details[0] as { path?: unknown } | undefined)?.path ?? '') : '';
      result.problems.push({ line, path, message: err.userMessage });
    }
  }
  result.problems.sort((a, b) => a.line - b.line);
  return result;
}
