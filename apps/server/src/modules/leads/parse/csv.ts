// CSV/XLSX lead rows → LeadInput. The file is read by the customer import's streaming reader
// (imports/parse/read-rows.ts: encoding and delimiter sniffing, XLSX); this maps its rows, a batch at a time,
// with the same coercions as mapped JSON (map-json.ts), columns named by their header.
import type { IntakeProblem, LeadField, LeadFieldMapping, LeadInput } from '@forecourt/contracts';
import { isPlaceholder } from '../../imports/parse/junk.js';
import type { SourceRow } from '../../imports/parse/read-rows.js';
import { cleanCell } from '../../imports/parse/values.js';
import { mapLeadFields } from './map-json.js';
import { fold } from './values.js';

const YES_NO: ReadonlySet<LeadField> = new Set(['tradeIn', 'financing']);

/** Which column (by its header text) fills each lead field; codes and the budget unit as in LeadFieldMapping. */
export type LeadColumnMapping = Pick<LeadFieldMapping, 'values' | 'budgetUnit'> & { fields: Partial<Record<LeadField, string>> };

/**
 * Leads of a batch of rows (the header row excluded). Blank rows are skipped; every other row yields a lead
 * with its line, fields that cannot be read left out. Problems: `index` is the row's position in `rows`,
 * the message names the column and line.
 */
export function mapCsvLeadRows(
  header: readonly string[],
  rows: readonly SourceRow[],
  mapping: LeadColumnMapping,
): { leads: { line: number; lead: LeadInput }[]; problems: IntakeProblem[] } {
  const problems: IntakeProblem[] = [];
  const columns = new Map<string, number>();
  header.forEach((h, i) => {
    const key = cleanCell(h);
    if (!columns.has(key)) columns.set(key, i);
  });
  for (const [field, column] of Object.entries(mapping.fields)) {
    if (!columns.has(column)) problems.push({ index: 0, path: field, message: `the file has no column "${column}"` });
  }
  const leads: { line: number; lead: LeadInput }[] = [];
  rows.forEach((row, index) => {
    const cell = (column: string, field: LeadField): string | undefined => {
      const i = columns.get(column);
      const value = i === undefined ? '' : cleanCell(row.cells[i] ?? '');
      // "无", "0", "-" say "nothing here" in a text column, but "no" in a yes/no one.
      if (value === '' || (!YES_NO.has(field) && isPlaceholder(value))) return undefined;
      return value;
    };
    if (row.cells.every((c) => cleanCell(c) === '')) return;
    const lead = mapLeadFields(cell, (column) => `in column "${column}" (line ${row.line})`, index, mapping, problems);
    leads.push({ line: row.line, lead });
  });
  return { leads, problems };
}

// prettier-ignore
const HINTS: Partial<Record<LeadField, string[]>> = {
  externalId: ['线索id', '线索编号', '线索号', 'leadid', 'id'],
  'customer.name': ['姓名', '客户姓名', '客户名称', '客户', '联系人', 'name'],
  'customer.phone': ['手机', '手机号', '手机号码', '电话', '联系电话', '联系方式', 'mobile', 'phone'],
  'customer.email': ['邮箱', '电子邮箱', 'email', 'e-mail'],
  'customer.gender': ['性别', 'gender'],
  'customer.province': ['省份', '省', 'province'],
  'customer.city': ['城市', '市', '所在城市', 'city'],
  'customer.address': ['地址', '联系地址', 'address'],
  campaign: ['活动', '活动名称', '营销活动', 'campaign'],
  cost: ['线索成本', '成本', '单价', 'cost'],
  'vehicle.brand': ['品牌', '意向品牌', 'brand'],
  'vehicle.series': ['车系', '意向车系', 'series'],
  'vehicle.model': ['车型', '意向车型', 'model'],
  'vehicle.trim': ['配置', '版本', 'trim'],
  'vehicle.year': ['年款', 'year'],
  'vehicle.condition': ['新车/二手车', '车况', '新旧', 'condition'],
  'vehicle.vin': ['vin', '车架号', '车辆识别代号'],
  budget: ['预算', '购车预算', 'budget'],
  timeframe: ['购车时间', '预计购车时间', '购车周期', 'timeframe'],
  tradeIn: ['置换', '是否置换', 'tradein', 'trade-in'],
  financing: ['贷款', '是否贷款', '金融', '分期', 'financing'],
  preferredStoreCode: ['门店编码', '门店代码', '经销商代码', '经销商编码', 'storecode'],
  comments: ['备注', '留言', '说明', 'comments', 'remark'],
  priority: ['优先级', 'priority'],
  requestedAt: ['留资时间', '创建时间', '线索时间', '提交时间', 'requestedat', 'createtime'],
};

/** A first mapping from the header row (Chinese or English); each column used once. "预算(万)" sets the budget unit to 万. */
export function suggestLeadColumns(header: readonly string[]): LeadColumnMapping {
  const normal = (h: string) =>
    fold(h)
      .toLowerCase()
      .replace(/[\s_]+/g, '')
      .replace(/[(（][^)）]*[)）]$/, '');
  const fields: Partial<Record<LeadField, string>> = {};
  const used = new Set<string>();
  for (const [field, hints] of Object.entries(HINTS) as [LeadField, string[]][]) {
    const column = header.find((h) => !used.has(h) && hints.includes(normal(h)));
    if (column !== undefined) {
      fields[field] = cleanCell(column);
      used.add(column);
    }
  }
  const budgetColumn = fields.budget;
  return budgetColumn && /万/.test(budgetColumn) ? { fields, budgetUnit: 'wan' } : { fields };
}
