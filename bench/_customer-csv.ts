// A customer CSV like a dealer's CRM export, deterministic (seeded), for the import benchmarks:
// 13 columns, Chinese names, phones in several spellings, dates in three formats, about 1 % of rows bad.
import fs from 'node:fs';
import { once } from 'node:events';

export const HEADERS = [
  '客户编号',
  '客户姓名',
  '手机号码',
  '性别',
  '出生日期',
  '城市',
  '详细地址',
  '意向车型',
  '购车预算',
  '客户标签',
  '是否同意短信营销',
  '邮箱',
  '备注',
];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '欧阳'];
/** Common given-name characters; shared by the benchmarks that make people. */
export const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '秀英',
  '建华',
  '子涵',
  '浩然',
];
export const CITIES = ['上海', '杭州', '南京', '苏州', '深圳', '广州', '厦门', '长沙', '北京', '天津', '青岛', '石家庄'];
const MODELS = ['Model Y', '问界M7', '理想L6', '小米SU7', '比亚迪汉', '宋PLUS', '极氪001', '蔚来ES6', '途观L', '凯美瑞'];
const TAGS = ['VIP', '试驾', '老客户', '高意向', '金融', '置换', '团购', '抖音', '车展'];

/** Deterministic, so every run reads the same file. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function makeRow(i: number, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
  const name = pick(SURNAMES) + pick(GIVEN);
  let phone = `1${3 + Math.floor(rnd() * 7)}${digits(9)}`;
  if (rnd() < 0.1) phone = `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
  const year = 1960 + Math.floor(rnd() * 45);
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  const birthdays = [
    `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    `${year}/${month}/${day}`,
    `${year}年${month}月${day}日`,
    '',
  ];
  let birthday = pick(birthdays);
  const budget = pick([`${10 + Math.floor(rnd() * 40)}万`, String((10 + Math.floor(rnd() * 40)) * 10_000), '']);
  const tags = Array.from({ length: Math.floor(rnd() * 3) }, () => pick(TAGS)).join('，');
  const consent = pick(['是', '否', '', '同意']);
  let email = rnd() < 0.3 ? `user${i}@${pick(['qq.com', '163.com', '126.com', 'gmail.com'])}` : '';
  const address = rnd() < 0.02 ? `${pick(CITIES)}市某区\n某路${i % 999}号` : `${pick(CITIES)}市某区某路${i % 999}号`;
  const remark = rnd() < 0.1 ? '预算充足, 周末看车' : '';
  // About 1 % of rows carry one mistake each, as exports do.
  const bad = rnd();
  if (bad < 0.004) phone = phone.slice(0, 7);
  else if (bad < 0.006) phone = '13800000000';
  else if (bad < 0.008) email = 'test@test.com';
  else if (bad < 0.01) birthday = `${year}-02-30`;
  const cells = [
    `C${String(i).padStart(8, '0')}`,
    name,
    phone,
    pick(['男', '女', '']),
    birthday,
    pick(CITIES),
    address,
    pick(MODELS),
    budget,
    tags,
    consent,
    email,
    remark,
  ];
  return cells.map(csvField).join(',');
}

export interface CsvOptions {
  /**
   * Share of rows that repeat an earlier customer: half of them the same row again (a duplicate the import
   * must skip), half the same phone with a new e-mail and tags (the import must find the existing profile).
   */
  repeats?: number;
}

/** Writes `rows` data rows after the header; with no options the file is the one import-parse has always read. */
export async function writeCustomerCsv(file: string, rows: number, options: CsvOptions = {}): Promise<void> {
  const out = fs.createWriteStream(file);
  const rnd = random(20_260_101);
  // A separate generator decides the repeats, so the other rows stay those of the plain file.
  const again = random(7);
  const recent: string[] = [];
  const repeatOrMake = (j: number): string => {
    const roll = options.repeats ? again() : 1;
    const earlier = recent.length > 0 ? recent[Math.floor(again() * recent.length)]! : null;
    if (earlier && roll < (options.repeats ?? 0) / 2) return earlier;
    const row = makeRow(j, rnd);
    if (earlier && roll < (options.repeats ?? 0)) {
      // Same customer number and phone as the earlier row, a new e-mail: the same person, more to know.
      const cells = row.split(',');
      const old = earlier.split(',');
      if (cells.length === 13 && old.length === 13) {
        return [old[0], old[1], old[2], ...cells.slice(3, 11), `again${j}@163.com`, cells[12]].join(',');
      }
    }
    if (recent.length < 5000) recent.push(row);
    else recent[Math.floor(again() * 5000)] = row;
    return row;
  };
  out.write('\ufeff' + HEADERS.join(',') + '\r\n');
  for (let i = 1; i <= rows; i += 10_000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(i + 10_000, rows + 1); j += 1) lines.push(repeatOrMake(j));
    if (!out.write(lines.join('\r\n') + '\r\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
