import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.js';
import { readRows, sniffCsv, type SourceRow } from './read-rows.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-read-rows-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function collect(rows: AsyncIterable<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

// Node decodes GB18030 but does not encode it: decode every two-byte code and the four-byte BMP codes in one go.
let gbTable: Map<string, Buffer> | undefined;
function gbCodes(): Map<string, Buffer> {
  const codes: Buffer[] = [];
  for (let a = 0x81; a <= 0xfe; a += 1) for (let b = 0x40; b <= 0xfe; b += 1) if (b !== 0x7f) codes.push(Buffer.from([a, b]));
  for (let a = 0x81; a <= 0x84; a += 1)
    for (let b = 0x30; b <= 0x39; b += 1)
      for (let c = 0x81; c <= 0xfe; c += 1) for (let d = 0x30; d <= 0x39; d += 1) codes.push(Buffer.from([a, b, c, d]));
  const chars = Array.from(new TextDecoder('gb18030').decode(Buffer.concat(codes)));
  if (chars.length !== codes.length) throw new Error('GB18030 table out of step');
  const table = new Map<string, Buffer>();
  chars.forEach((ch, i) => {
    const code = codes[i];
    if (code && ch !== '\ufffd' && !table.has(ch)) table.set(ch, code);
  });
  return table;
}
function gb18030(text: string): Buffer {
  gbTable ??= gbCodes();
  const table = gbTable;
  return Buffer.concat(
    Array.from(text, (ch) => {
      if (ch.charCodeAt(0) < 0x80) return Buffer.from(ch, 'latin1');
      const bytes = table.get(ch);
      if (!bytes) throw new Error(`no GB18030 bytes for ${ch}`);
      return bytes;
    }),
  );
}

describe('reading CSV', () => {
  it('a UTF-8 file with a BOM: the BOM is not part of the first header', async () => {
    const file = write('bom.csv', '\ufeff姓名,手机号\r\n张三,13800138001\r\n');
    expect(await collect(readRows({ path: file }))).toEqual([
      { line: 1, cells: ['姓名', '手机号'] },
      { line: 2, cells: ['张三', '13800138001'] },
    ]);
  });

  it('a GB18030 (GBK) file saved by Chinese Excel: headers and names come out as Chinese text', async () => {
    const file = write('gbk.csv', gb18030('客户姓名,手机号码,城市\r\n张三,13800138001,北京\r\n王䶮,13900139002,上海\r\n'));
    expect(sniffCsv(fs.readFileSync(file))).toEqual({ encoding: 'gb18030', delimiter: ',' });
    expect(await collect(readRows({ path: file }))).toEqual([
      { line: 1, cells: ['客户姓名', '手机号码', '城市'] },
      { line: 2, cells: ['张三', '13800138001', '北京'] },
      { line: 3, cells: ['王䶮', '13900139002', '上海'] },
    ]);
  });

  it('a large GB18030 file: characters cut by a 64 KB read chunk are decoded whole', async () => {
    const filler = (bytes: number) => Buffer.from('a\n'.repeat(bytes / 2));
    const header = gb18030('姓名\r\n'); // 6 bytes
    const fourByte = gb18030('王䶵\n'); // 䶵 is four bytes, at 65534–65537
    expect(fourByte).toHaveLength(7);
    const twoByte = gb18030('张三\n'); // 三 is two bytes, at 131071–131072
    const parts = [header, filler(65_532 - 6), fourByte, filler(131_069 - 65_539), twoByte, gb18030('李四\n')];
    const file = write('gbk-large.csv', Buffer.concat(parts));
    const read = await collect(readRows({ path: file }));
    expect(read.filter((r) => r.cells.join('').includes('\ufffd'))).toEqual([]);
    const names = read.filter((r) => r.cells[0] !== 'a');
    expect(names).toEqual([
      { line: 1, cells: ['姓名'] },
      { line: 32_765, cells: ['王䶵'] },
      { line: 65_531, cells: ['张三'] },
      { line: 65_532, cells: ['李四'] },
    ]);
  });

  it('a UTF-8 file whose first 64 KB end inside a character is still UTF-8, and that character is read whole', async () => {
    // 7-byte header + 65528 bytes of filler: 张 (three bytes) starts at 65535, across the sniff window and the first chunk.
    const file = write(
      'utf8-boundary.csv',
      Buffer.concat([Buffer.from('姓名\n'), Buffer.from('a\n'.repeat(32_764)), Buffer.from('张三\n')]),
    );
    expect(sniffCsv(fs.readFileSync(file).subarray(0, 65_536)).encoding).toBe('utf-8');
    const read = await collect(readRows({ path: file }));
    expect(read.at(-1)).toEqual({ line: 32_766, cells: ['张三'] });
  });

  it('quoted fields with line breaks: each record keeps the line it starts on', async () => {
    const file = write(
      'multiline.csv',
      'name,address,phone\n"张三","北京市\n朝阳区\n某路1号",13800138001\n李四,"上海",13900139002\r\n"王五","a ""quoted"" word\r\nsecond line",13700137003\n',
    );
    expect(await collect(readRows({ path: file }))).toEqual([
      { line: 1, cells: ['name', 'address', 'phone'] },
      { line: 2, cells: ['张三', '北京市\n朝阳区\n某路1号', '13800138001'] },
      { line: 5, cells: ['李四', '上海', '13900139002'] },
      { line: 6, cells: ['王五', 'a "quoted" word\r\nsecond line', '13700137003'] },
    ]);
  });

  it('CRLF line ends, blank lines and ragged rows: blank lines still count, short and long rows pass', async () => {
    const file = write('ragged.csv', 'a,b,c\r\n1,2\r\n\r\n1,2,3,4\r\nx,"y\r\nz",w\r\nlast,row,here');
    expect(await collect(readRows({ path: file }))).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', '2'] },
      { line: 3, cells: [''] },
      { line: 4, cells: ['1', '2', '3', '4'] },
      { line: 5, cells: ['x', 'y\r\nz', 'w'] },
      { line: 7, cells: ['last', 'row', 'here'] },
    ]);
  });

  it('a file where most rows are ragged keeps every cell and line (past the point where reading switches to the fast path)', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ['r' + i, 'x', 'y', 'z'].slice(0, 1 + (i % 4)));
    const file = write('mostly-ragged.csv', 'a,b,c\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
    const read = await collect(readRows({ path: file }));
    expect(read.slice(1)).toEqual(rows.map((cells, i) => ({ line: i + 2, cells })));
  });

  it('a tab-separated file (Excel "Unicode text" or a TSV export): the tab is found from the header', async () => {
    const file = write('tabs.txt', '姓名\t手机\t备注\n张三\t13800138001\t喜欢SUV, 预算 25万\n');
    expect(await collect(readRows({ path: file }))).toEqual([
      { line: 1, cells: ['姓名', '手机', '备注'] },
      { line: 2, cells: ['张三', '13800138001', '喜欢SUV, 预算 25万'] },
    ]);
  });

  it('Excel "Unicode text" is UTF-16LE with a BOM and tabs', async () => {
    const text = '姓名\t手机\r\n张三\t13800138001\r\n';
    const file = write('unicode.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(await collect(readRows({ path: file }))).toEqual([
      { line: 1, cells: ['姓名', '手机'] },
      { line: 2, cells: ['张三', '13800138001'] },
    ]);
  });

  it('a semicolon-separated file (European Excel) with commas inside values', async () => {
    const file = write('semi.csv', 'name;budget;phone\nAnna;250000,00;13800138001\n');
    expect(await collect(readRows({ path: file }))).toEqual([
      { line: 1, cells: ['name', 'budget', 'phone'] },
      { line: 2, cells: ['Anna', '250000,00', '13800138001'] },
    ]);
  });

  it('a comma inside a quoted header does not make it the delimiter guess', () => {
    expect(sniffCsv(Buffer.from('"a,b,c"\tx\ty\n1\t2\t3\n')).delimiter).toBe('\t');
    expect(sniffCsv(Buffer.from('only-one-column\n1\n'))).toEqual({ encoding: 'utf-8', delimiter: ',' });
  });

  it('a quote that is never closed stops the read with the line where its record starts', async () => {
    const file = write('unclosed.csv', 'a,b\n1,2\n3,"never closed\n4,5\n');
    const rows: SourceRow[] = [];
    const error = await (async () => {
      for await (const row of readRows({ path: file })) rows.push(row);
    })().catch((e: unknown) => e);
    expect(rows).toHaveLength(2);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).userMessage).toMatch(/from line 3 on: a field opens a quote/);
  });

  it('a caller that stops early (a preview) stops the read', async () => {
    const file = write('long.csv', 'a\n' + '1\n'.repeat(100_000));
    const first: SourceRow[] = [];
    for await (const row of readRows({ path: file })) {
      first.push(row);
      if (first.length === 3) break;
    }
    expect(first.map((r) => r.line)).toEqual([1, 2, 3]);
  });
});

describe('reading XLSX', () => {
  let xlsx: string;
  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('客户');
    sheet.addRow(['姓名', '手机', '生日', '预算', '备注', '公式']);
    sheet.addRow([
      '张三',
      13812345678,
      new Date(Date.UTC(1990, 0, 2)),
      0.1 + 0.2,
      { richText: [{ text: '老' }, { text: '客户', font: { bold: true } }] },
      { formula: 'B2+1', result: 13812345679 },
    ]);
    sheet.getCell('C2').numFmt = 'yyyy-mm-dd';
    // Row 3 is left empty; row 4 has a gap in the middle and a date with a time.
    sheet.getRow(4).values = ['李四', '13900139002', new Date(Date.UTC(1985, 11, 31, 8, 30)), 250000, null, true];
    sheet.getCell('C4').numFmt = 'yyyy-mm-dd hh:mm';
    sheet.getRow(5).getCell(2).value = { formula: 'TEXT(1,"0")', result: 'text result' };
    workbook.addWorksheet('第二页').addRow(['not', 'read']);
    xlsx = path.join(dir, 'customers.xlsx');
    await workbook.xlsx.writeFile(xlsx);
  });

  it('reads the first worksheet: numbers as typed, dates as ISO, rich text as text, formulas as their result', async () => {
    expect(await collect(readRows({ path: xlsx }))).toEqual([
      { line: 1, cells: ['姓名', '手机', '生日', '预算', '备注', '公式'] },
      { line: 2, cells: ['张三', '13812345678', '1990-01-02', '0.3', '老客户', '13812345679'] },
      { line: 4, cells: ['李四', '13900139002', '1985-12-31T08:30:00', '250000', '', 'TRUE'] },
      { line: 5, cells: ['', 'text result'] },
    ]);
  });

  it('the format comes from the content: a workbook named .csv is still read as a workbook', async () => {
    const renamed = path.join(dir, 'renamed.csv');
    fs.copyFileSync(xlsx, renamed);
    const rows = await collect(readRows({ path: renamed, format: 'csv' }));
    expect(rows[1]?.cells[1]).toBe('13812345678');
  });

  it('a caller that stops early gets no error and leaves no open file behind', async () => {
    for await (const row of readRows({ path: xlsx })) {
      expect(row.line).toBe(1);
      break;
    }
  });

  it('an old .xls workbook is refused with what to do', async () => {
    const file = write('old.xls', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]));
    await expect(collect(readRows({ path: file }))).rejects.toThrow(/old-style Excel file \(\.xls\).*save it as \.xlsx or \.csv/);
  });

  it('a text file sent as .xlsx is refused', async () => {
    const file = write('fake.xlsx', 'a,b\n1,2\n');
    await expect(collect(readRows({ path: file }))).rejects.toThrow(/not a valid \.xlsx workbook/);
  });
});
