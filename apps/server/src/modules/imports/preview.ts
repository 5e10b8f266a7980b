import { ImportMapping, type PreviewRow } from '@forecourt/contracts';
import { mapRow, maskValue } from './parse/map-row.js';
import { suggestMapping } from './parse/mapping.js';
import { readRows, type ImportFormat } from './parse/read-rows.js';
import { cleanCell } from './parse/values.js';

export const PREVIEW_ROWS = 20;
const SAMPLES_PER_COLUMN = 3;

export interface FilePreview {
  headers: string[];
  mapping: ImportMapping;
  suggested: boolean;
  mappingProblem: string | null;
  samples: string[][];
  rows: PreviewRow[];
  /** True when the file has no row below the header. */
  noData: boolean;
}

// Fields whose values are personal: masked in samples and preview cells (PIPL).
const PERSONAL = new Set(['phone', 'email', 'national_id', 'wechat_unionid', 'wechat_openid', 'wecom_external_userid', 'name', 'address']);

/** A cell as the console may show it: masked when the column (or the value's shape) is personal. */
export function maskCell(field: string | undefined, raw: string): string {
  const value = cleanCell(raw);
  if (value === '') return '';
  if (field && PERSONAL.has(field)) return maskValue(field, value);
  if (field === 'birthday') return `${value.slice(0, 4)}-**-**`;
  if (field === 'user_id' || field === 'vin' || field?.startsWith('consent:') || field === 'tags') return maskValue(field, value);
  // Not mapped, or a trait: still hide what looks like a phone, an ID number or an e-mail.
  if (/@/.test(value)) return maskValue('email', value);
  const digits = value.replace(/\D/g, '');
  if (digits.length >= 15) return maskValue('national_id', value);
  if (digits.length >= 7) return maskValue('phone', value);
  return maskValue(field && field !== 'ignore' ? field : 'text', value);
}

/** Reads the header and the first rows of an upload: headers, masked samples, and the rows mapped with `saved` (or the suggestion). */
export async function readPreview(file: { path: string; format: ImportFormat }, saved: ImportMapping | null): Promise<FilePreview> {
  let headers: string[] | null = null;
  const data: Array<{ line: number; cells: string[] }> = [];
  for await (const row of readRows(file)) {
    if (headers === null) headers = row.cells.map((c) => cleanCell(c));
    else data.push(row);
    if (data.length >= PREVIEW_ROWS) break;
  }
  headers ??= [];
  const mapping = saved ?? suggestMapping(headers);
  const check = ImportMapping.safeParse(mapping);
  const mappingProblem = check.success ? null : (check.error.issues[0]?.message ?? 'invalid mapping');
  const fieldOf = new Map(mapping.columns.map((c) => [c.index, c.field]));
  const width = Math.max(headers.length, ...data.map((d) => d.cells.length));

  const samples = Array.from({ length: width }, (_, index) => {
    const values: string[] = [];
    for (const row of data) {
      const shown = maskCell(fieldOf.get(index), row.cells[index] ?? '');
      if (shown !== '' && !values.includes(shown)) values.push(shown);
      if (values.length >= SAMPLES_PER_COLUMN) break;
    }
    return values;
  });

  const rows = data.map((row): PreviewRow => {
    const cells = Array.from({ length: width }, (_, index) => maskCell(fieldOf.get(index), row.cells[index] ?? ''));
    if (!check.success) return { line: row.line, status: 'error', cells, errors: [] };
    const result = mapRow(row.cells, check.data, row.line);
    if (result.ok === 'skip') return { line: row.line, status: 'skip', cells, errors: [] };
    if (result.ok) return { line: row.line, status: 'ok', cells, errors: [] };
    return { line: row.line, status: 'error', cells, errors: result.errors };
  });
  return { headers, mapping, suggested: saved === null, mappingProblem, samples, rows, noData: data.length === 0 };
}
