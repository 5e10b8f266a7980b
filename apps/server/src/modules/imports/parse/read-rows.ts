import fs from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Transform, pipeline, type Readable } from 'node:stream';
import { CsvError, parse, type Parser } from 'csv-parse';
import ExcelJS from 'exceljs';
import { AppError } from '../../../platform/errors.js';

export type ImportFormat = 'csv' | 'xlsx';

/** One record of the file: `line` is where it starts (header = 1) for CSV, the row number for XLSX. */
export interface SourceRow {
  line: number;
  cells: string[];
}

export type CsvEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';
export type CsvDelimiter = ',' | '\t' | ';';

export interface CsvDialect {
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
}

const SNIFF_BYTES = 64 * 1024;
const RAGGED_ROWS_BEFORE_PATCH = 100;
// A record this long is almost always a quote that was never closed; stop instead of buffering the file.
const MAX_RECORD_BYTES = 1024 * 1024;

/** Reads the rows of the first worksheet (XLSX) or the whole file (CSV), streaming: memory stays flat whatever the size. */
export async function* readRows(file: { path: string; format?: ImportFormat }): AsyncGenerator<SourceRow> {
  const head = await readHead(file.path);
  const format = detectFormat(file.path, head, file.format);
  if (format === 'xlsx') yield* readXlsx(file.path);
  else yield* readCsv(file.path, sniffCsv(head));
}

async function readHead(filePath: string): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The content decides between a workbook and text; the extension or the caller only catches a text file sent as XLSX. */
function detectFormat(filePath: string, head: Buffer, given?: ImportFormat): ImportFormat {
  const isZip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const isOle = head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
  const extension = path.extname(filePath).toLowerCase();
  if (isOle) {
    throw new AppError(
      'VALIDATION_FAILED',
      'This is an old-style Excel file (.xls) or a password-protected workbook. Open it in Excel or WPS and save it as .xlsx or .csv, without a password.',
    );
  }
  if (isZip) return 'xlsx';
  if (given === 'xlsx' || extension === '.xlsx' || extension === '.xlsm') {
    throw new AppError('VALIDATION_FAILED', 'The file is not a valid .xlsx workbook. Save it again from Excel or WPS as .xlsx or .csv.');
  }
  return 'csv';
}

/** Encoding from the first 64 KB (BOM, else UTF-8 if it decodes, else GB18030), delimiter from the header line. */
export function sniffCsv(head: Buffer): CsvDialect {
  let encoding: CsvEncoding;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) encoding = 'utf-8';
  else if (head[0] === 0xff && head[1] === 0xfe) encoding = 'utf-16le';
  else if (head[0] === 0xfe && head[1] === 0xff) encoding = 'utf-16be';
  else encoding = isUtf8(head, head.length === SNIFF_BYTES) ? 'utf-8' : 'gb18030';
  // Chinese Excel saves "CSV" in GBK, which GB18030 extends; WPS and newer Excel save UTF-8 with a BOM.
  const text = new TextDecoder(encoding).decode(head, { stream: true });
  return { encoding, delimiter: sniffDelimiter(text) };
}

function isUtf8(bytes: Buffer, truncated: boolean): boolean {
  try {
    // `stream` lets a character cut at the 64 KB boundary pass; a complete file must end cleanly.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated });
    return true;
  } catch {
    return false;
  }
}

function sniffDelimiter(text: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (ch === ',' || ch === '\t' || ch === ';')) counts[ch] += 1;
  }
  // Ties go to the comma, then tab: a header with no delimiter at all is a one-column CSV.
  let best: CsvDelimiter = ',';
  for (const d of ['\t', ';'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

/** GB18030 and UTF-16 become UTF-8 text for csv-parse; TextDecoder keeps a character split across chunks for the next one. */
function decodeTo(encoding: CsvEncoding): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, decoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decoder.decode());
    },
  });
}

const NEWLINES = /\r\n|\r|\n/g;

function countNewlines(cells: string[]): number {
  let n = 0;
  for (const cell of cells) {
    if (cell.includes('\n') || cell.includes('\r')) n += cell.match(NEWLINES)?.length ?? 0;
  }
  return n;
}

async function* readCsv(filePath: string, dialect: CsvDialect): AsyncGenerator<SourceRow> {
  const parser = parse({
    delimiter: dialect.delimiter,
    // All three, not the first one seen: hand-edited files mix them, and line numbers count each as one.
    record_delimiter: ['\r\n', '\n', '\r'],
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
  });
  const source = fs.createReadStream(filePath, { highWaterMark: SNIFF_BYTES });
  const stages: Array<Readable | Transform> = dialect.encoding === 'utf-8' ? [source] : [source, decodeTo(dialect.encoding)];
  // Errors reach the loop below through `parser`; pipeline also closes the file when the caller stops early.
  pipeline([...stages, parser], () => undefined);

  // Blank lines come through as records, so each record starts one line after the previous one ends.
  let line = 1;
  let width = -1;
  let ragged = 0;
  try {
    for await (const cells of recordsOf(parser)) {
      yield { line, cells };
      line += 1 + countNewlines(cells);
      if (width < 0) width = cells.length;
      else if (cells.length !== width && ++ragged === RAGGED_ROWS_BEFORE_PATCH) acceptAnyRecordLength(parser);
    }
  } catch (error) {
    if (error instanceof CsvError) throw new AppError('VALIDATION_FAILED', csvProblem(error, line), { line, code: error.code });
    throw error;
  } finally {
    parser.destroy();
  }
}

/**
 * The parser's records, then its error. Not `for await` over the stream: a stream that fails drops the records
 * it still buffers, so the rows before a broken quote would be lost (and the error's line number with them).
 */
async function* recordsOf(parser: Parser): AsyncGenerator<string[]> {
  const queue: string[][] = [];
  let head = 0;
  let failure: unknown = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  parser.on('data', (record: string[]) => {
    queue.push(record);
    if (queue.length - head >= 1000) parser.pause();
    notify();
  });
  parser.on('error', (error) => {
    failure = error;
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });
  for (;;) {
    if (head < queue.length) {
      const record = queue[head]!;
      head += 1;
      if (head === queue.length) {
        queue.length = 0;
        head = 0;
        if (parser.isPaused()) parser.resume();
      }
      yield record;
      continue;
    }
    if (failure) throw failure;
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

/**
 * Even with relax_column_count, csv-parse builds and deep-copies an error object for every record whose length
 * differs from the first one: about 40 µs a row, ten times the cost of parsing it. In a file with many ragged
 * rows every length is made the expected one. Not from the start: the accessor makes every other row about a
 * third slower. Should an upgrade move this internal state, the patch does nothing: slower, never wrong.
 */
function acceptAnyRecordLength(parser: Parser): void {
  const state = (parser as unknown as { state?: { record?: unknown[]; expectedRecordLength?: number } }).state;
  if (!state || !Array.isArray(state.record) || !('expectedRecordLength' in state)) return;
  Object.defineProperty(state, 'expectedRecordLength', { get: () => state.record?.length, set: () => undefined });
}

function csvProblem(error: CsvError, line: number): string {
  const where = `The file cannot be read from line ${line} on`;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${where}: a field opens a quote (") that is never closed.`;
    case 'CSV_MAX_RECORD_SIZE':
      return `${where}: a record is longer than 1 MB, which usually means a quote (") that is never closed.`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${where}: a quoted field has text after its closing quote; a quote inside a quoted field must be doubled ("").`;
    default:
      return `${where}: ${error.message}`;
  }
}

async function* readXlsx(filePath: string): AsyncGenerator<SourceRow> {
  const input = fs.createReadStream(filePath);
  // Styles are needed to tell a date from a number; shared strings are the workbook's string table.
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const worksheet of workbook) {
      // Rows must be read while the workbook iterator is open: a worksheet may stream straight from the zip.
      for await (const row of worksheet) yield { line: row.number, cells: rowCells(row) };
      return; // the first worksheet only
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'VALIDATION_FAILED',
      'The file cannot be read as an .xlsx workbook. Save it again from Excel or WPS as .xlsx or .csv.',
      undefined,
      String(error),
    );
  } finally {
    input.destroy();
  }
}

function rowCells(row: ExcelJS.Row): string[] {
  const cells: string[] = [];
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    while (cells.length < col - 1) cells.push('');
    cells.push(cellText(cell.value, cell.numFmt));
  });
  return cells;
}

/** What the spreadsheet shows, as import input: plain text, ISO dates, numbers without float noise. */
function cellText(value: ExcelJS.CellValue, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return isDateFormat(numFmt) ? isoDate(serialToDate(value)) : numberText(value);
  if (value instanceof Date) return isoDate(value);
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as ExcelJS.CellValue, numFmt);
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as ExcelJS.CellValue);
  if ('error' in value) return value.error;
  return '';
}

/** 13812345678 stays 13812345678; 0.1 + 0.2 shows as 0.3, like Excel, which keeps 15 significant digits. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isSafeInteger(n)) return String(n);
  return String(Number(n.toPrecision(15)));
}

// Only formula results need this: exceljs already turns date-formatted plain values into Dates.
function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  const bare = numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
  return /[ymdhs]/i.test(bare);
}

function serialToDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86400) * 1000);
}

/** exceljs returns the spreadsheet's wall-clock time as UTC: 1990-01-02, or 1990-01-02T08:30:00 when there is a time. */
function isoDate(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return '';
  const iso = new Date(Math.round(ms / 1000) * 1000).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19);
}
