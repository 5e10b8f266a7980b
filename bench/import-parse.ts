// Customer import, file to validated records (no database): a 1,000,000-row CSV like a dealer's CRM export,
// about 1 % of rows bad, read with readRows, mapped with suggestMapping's guess, validated with mapRow.
// `npm run bench -- import-parse [--rows N] [--keep]`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { mapRow } from '../apps/server/src/modules/imports/parse/map-row.js';
import { ImportMapping, suggestMapping } from '../apps/server/src/modules/imports/parse/mapping.js';
import { readRows } from '../apps/server/src/modules/imports/parse/read-rows.js';

const HEADERS = [
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
const GIVEN = [
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
const CITIES = ['上海', '杭州', '南京', '苏州', '深圳', '广州', '厦门', '长沙', '北京', '天津', '青岛', '石家庄'];
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

async function writeCsv(file: string, rows: number): Promise<void> {
  const out = fs.createWriteStream(file);
  const rnd = random(20_260_101);
  out.write('\ufeff' + HEADERS.join(',') + '\r\n');
  for (let i = 1; i <= rows; i += 10_000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(i + 10_000, rows + 1); j += 1) lines.push(makeRow(j, rnd));
    if (!out.write(lines.join('\r\n') + '\r\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function main(args: string[] = []): Promise<void> {
  const rowsArg = args.indexOf('--rows');
  const rows = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 1_000_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-bench-import-'));
  const file = path.join(dir, 'customers.csv');
  try {
    await writeCsv(file, rows);
    const fileMb = round(fs.statSync(file).size / 2 ** 20);

    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let mapping: ImportMapping | null = null;
    let read = 0;
    let ok = 0;
    let errors = 0;
    let skipped = 0;
    let peakRss = process.memoryUsage.rss();
    for await (const row of readRows({ path: file })) {
      if (!mapping) {
        mapping = ImportMapping.parse(suggestMapping(row.cells));
        continue;
      }
      read += 1;
      const result = mapRow(row.cells, mapping, row.line);
      if (result.ok === true) ok += 1;
      else if (result.ok === false) errors += 1;
      else skipped += 1;
      if (read % 20_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());

    const result = {
      benchmark: 'import-parse',
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg()[0]?.toFixed(1)}`,
      fileMb,
      rows: read,
      ok,
      errors,
      skipped,
      seconds: round(seconds, 2),
      // CPU time of this process: what the figure would be on an idle core (other work may share the machine).
      cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
      rowsPerSecond: Math.round(read / seconds),
      peakRssMb: round(peakRss / 2 ** 20),
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `import-parse: ${read.toLocaleString('en')} rows (${fileMb} MB CSV) read, mapped and validated in ${result.seconds} s = ` +
        `${result.rowsPerSecond.toLocaleString('en')} rows/s (${result.cpuSeconds} s CPU); ${ok.toLocaleString('en')} ok, ${errors.toLocaleString('en')} with errors; peak RSS ${result.peakRssMb} MB`,
    );
  } finally {
    if (!args.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${file}`);
  }
}
