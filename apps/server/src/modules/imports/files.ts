import fs from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../platform/errors.js';
import type { ImportFormat } from './parse/read-rows.js';

/** Content types the upload accepts; browsers send .csv as any of the text ones, or as Excel's. */
export const UPLOAD_CONTENT_TYPES = [
  'text/csv',
  'text/plain',
  'text/tab-separated-values',
  'application/csv',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/octet-stream',
] as const;

const CSV_EXTENSIONS = new Set(['.csv', '.txt', '.tsv']);
const XLSX_EXTENSIONS = new Set(['.xlsx', '.xlsm']);

/** Where an upload waits for its import: `<data dir>/imports/<tenant>/<import>.<format>`. */
export function uploadPath(dataDir: string, tenantId: string, importId: string, format: ImportFormat): string {
  return path.join(dataDir, 'imports', tenantId, `${importId}.${format}`);
}

/** Stream a request body to `file`, refusing it past `maxBytes` (the partial file is removed). Returns its size. */
export async function saveUpload(body: Readable, file: string, maxBytes: number): Promise<number> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(tooLarge(maxBytes));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body, limit, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    fs.rmSync(file, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('VALIDATION_FAILED', 'file: the upload was interrupted; send the file again.', undefined, String(err));
  }
  return bytes;
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `file: larger than ${Math.round(maxBytes / 2 ** 20)} MB; split it into several files.`);
}

export async function readHead(file: string, bytes = 64 * 1024): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * CSV or XLSX, from the file name and the first bytes; anything else is refused with a sentence that
 * says what to do. The content wins over the name: a workbook named .csv is read as a workbook.
 */
export function detectUploadFormat(head: Buffer, fileName: string): ImportFormat {
  const extension = path.extname(fileName).toLowerCase();
  if (extension === '.xls' || extension === '.et') {
    throw new AppError(
      'VALIDATION_FAILED',
      'fileName: old-style Excel files (.xls) cannot be read; save it as .xlsx or .csv in Excel or WPS.',
    );
  }
  if (!CSV_EXTENSIONS.has(extension) && !XLSX_EXTENSIONS.has(extension)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `fileName: only .csv and .xlsx files can be imported${extension ? ` (this is ${extension})` : ''}.`,
      [{ path: 'fileName', message: 'use .csv or .xlsx' }],
    );
  }
  if (head.length === 0 || head.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)) {
    throw new AppError('VALIDATION_FAILED', 'file: the file is empty.');
  }
  const isZip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  const isOle = head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
  if (isOle) {
    throw new AppError(
      'VALIDATION_FAILED',
      'file: this is an old-style Excel file (.xls) or a password-protected workbook. Save it as .xlsx or .csv, without a password.',
    );
  }
  if (isZip) return 'xlsx';
  if (XLSX_EXTENSIONS.has(extension)) {
    throw new AppError('VALIDATION_FAILED', 'file: not a valid .xlsx workbook. Save it again from Excel or WPS as .xlsx or .csv.');
  }
  if (!looksLikeText(head)) {
    throw new AppError('VALIDATION_FAILED', 'file: this is not a text (CSV) file. Export the customer list as .csv or .xlsx.');
  }
  return 'csv';
}

/** Text in UTF-8, GB18030 or UTF-16 (with its BOM): no NUL bytes and hardly any control characters. */
function looksLikeText(head: Buffer): boolean {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return true;
  let control = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) control += 1;
  }
  return control <= head.length / 100;
}

/**
 * How many data rows a CSV has, roughly: its lines minus the header (a quoted cell with a line break
 * counts twice). Fast enough to run before an import (about 1 s for 100 MB), so progress has a total.
 */
export async function estimateDataRows(file: string): Promise<number> {
  const head = await readHead(file, 2);
  const utf16 = head[0] === 0xff && head[1] === 0xfe ? 'le' : head[0] === 0xfe && head[1] === 0xff ? 'be' : null;
  let lines = 0;
  let offset = 0;
  let last = -1;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let i = chunk.indexOf(0x0a);
    while (i >= 0) {
      // In UTF-16 a 0x0A byte is a newline only as the right half of its code unit.
      const position = offset + i;
      if (utf16 === null || (utf16 === 'le' ? position % 2 === 0 && chunk[i + 1] === 0 : position % 2 === 1 && chunk[i - 1] === 0)) {
        lines += 1;
      }
      i = chunk.indexOf(0x0a, i + 1);
    }
    offset += chunk.length;
    last = chunk[chunk.length - 1] ?? -1;
  }
  if (offset > 0 && last !== 0x0a && last !== 0x00) lines += 1; // a last line without its newline
  return Math.max(0, lines - 1);
}

export function removeUpload(file: string): void {
  fs.rmSync(file, { force: true });
}

export function fileSize(file: string): number | null {
  try {
    return fs.statSync(file).size;
  } catch {
    return null;
  }
}
