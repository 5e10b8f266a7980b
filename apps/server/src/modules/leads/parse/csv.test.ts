import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRows, type SourceRow } from '../../imports/parse/read-rows.js';
import { mapCsvLeadRows, suggestLeadColumns } from './csv.js';

// A showroom's lead sheet as exported from Excel/WPS: Chinese headers, a budget column in 万, yes/no as 是/否.
const SHEET = [
  '线索编号,客户姓名,手机号码,城市,意向品牌,意向车型,预算(万),是否置换,留资时间,备注',
  'WI-001,王强,="13800138001",上海市,比亚迪,汉,20-25,是,2026-11-24 09:30,周末来店',
  'WI-002,李梅,1390013900,杭州市,蔚来,ES6,30,无,2026/11/24 10:00,无',
  ',,,,,,,,,',
  'WI-003,赵磊,13700137000,南京市,理想,L6,面议,否,2026-11-24 11:00,',
].join('\r\n');

async function readSheet(text: string): Promise<SourceRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'leads-csv-'));
  try {
    const file = path.join(dir, 'leads.csv');
    await writeFile(file, `\ufeff${text}`, 'utf8');
    const rows: SourceRow[] = [];
    for await (const row of readRows({ path: file })) rows.push(row);
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('CSV lead rows', () => {
  it('when the header is Chinese, then the suggested mapping finds each column and reads 预算(万) as 万', () => {
    const header = SHEET.split('\r\n')[0]?.split(',') ?? [];
    expect(suggestLeadColumns(header)).toEqual({
      fields: {
        externalId: '线索编号',
        'customer.name': '客户姓名',
        'customer.phone': '手机号码',
        'customer.city': '城市',
        'vehicle.brand': '意向品牌',
        'vehicle.model': '意向车型',
        budget: '预算(万)',
        tradeIn: '是否置换',
        requestedAt: '留资时间',
        comments: '备注',
      },
      budgetUnit: 'wan',
    });
  });

  it('when a sheet is read by the import reader and mapped, then each non-blank row is a lead with its line and problems name column and line', async () => {
    const [header, ...rows] = await readSheet(SHEET);
    const mapping = suggestLeadColumns(header?.cells ?? []);
    const { leads, problems } = mapCsvLeadRows(header?.cells ?? [], rows, mapping);
    expect(leads.map((l) => l.line)).toEqual([2, 3, 5]);
    expect(leads[0]?.lead).toMatchObject({
      externalId: 'WI-001',
      customer: { name: '王强', phone: '+8613800138001', city: '上海市' },
      vehicle: { brand: '比亚迪', model: '汉' },
      budget: { min: 200_000, max: 250_000 },
      tradeIn: true,
      requestedAt: '2026-11-24T01:30:00.000Z',
      comments: '周末来店',
    });
    // "无" is "no" in a yes/no column and "nothing" in a text column.
    expect(leads[1]?.lead.tradeIn).toBe(false);
    expect(leads[1]?.lead.comments).toBeUndefined();
    expect(leads[1]?.lead.budget).toEqual({ min: 300_000, max: 300_000 });
    expect(leads[2]?.lead.tradeIn).toBe(false);
    expect(problems).toEqual([
      {
        index: 1,
        path: 'customer.phone',
        message: '"1390013900" in column "手机号码" (line 3) is not a Chinese mobile number (11 digits starting 13–19)',
      },
      { index: 3, path: 'budget', message: expect.stringContaining('"面议" in column "预算(万)" (line 5) is not a budget') },
    ]);
  });

  it('when the mapping names a column the file does not have, then that is reported once', () => {
    const { problems } = mapCsvLeadRows(['姓名'], [{ line: 2, cells: ['王强'] }], {
      fields: { 'customer.name': '姓名', 'customer.phone': '手机' },
    });
    expect(problems).toEqual([{ index: 0, path: 'customer.phone', message: 'the file has no column "手机"' }]);
  });
});
