// Cell text → normalised value, one parser per kind of field. A failure is the end of a sentence that
// follows the quoted value: `"1381234" is not a Chinese mobile number …`.
import { normalizeChinaMobile } from '../../../platform/phone.js';
import { isPlaceholder } from './junk.js';

export type Parsed<T> = { value: T } | { error: string };

const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/;
const ZERO_WIDTH_ALL = /[\u200b-\u200d\u2060\ufeff]/g;

/** Trimmed cell text without zero-width characters, and without Excel's keep-as-text wrappers ('0138…, ="0138…"). */
export function cleanCell(raw: string): string {
  if (raw === '') return raw;
  let s = raw;
  if (ZERO_WIDTH.test(s)) s = s.replace(ZERO_WIDTH_ALL, '');
  s = s.trim(); // trim() also removes U+00A0 and the ideographic space U+3000
  if (s.startsWith('="') && s.endsWith('"')) s = s.slice(2, -1).trim();
  if (s.startsWith("'") && /^'[\d+]/.test(s)) s = s.slice(1);
  return s;
}

/** Full-width letters, digits and signs typed with a Chinese IME, as ASCII. */
export function fold(s: string): string {
  return /[^\x20-\x7e]/.test(s) ? s.normalize('NFKC') : s;
}

/** Excel shows long numbers as 1.38123E+10 and saves CSV that way: the digits are gone. */
const SHORTENED = /^\d(\.\d+)?e\+\d+$/i;
const SHORTENED_HINT = 'was shortened by Excel to scientific notation and has lost digits; format the column as text and export it again';

/** Splits a cell that lists several phones or emails: "138…/139…", "a@x.cn; b@y.cn". */
export function splitList(value: string): string[] {
  return value
    .split(/[/,，;；、|\n\r]+/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function parsePhone(value: string): Parsed<string> {
  const folded = fold(value);
  if (SHORTENED.test(folded)) return { error: SHORTENED_HINT };
  const phone = normalizeChinaMobile(folded);
  if (phone) return { value: phone };
  const digits = folded.replace(/\D/g, '');
  if (/^14[0-4]\d{10}$/.test(digits)) return { error: 'is a 13-digit IoT card number, not a person’s mobile' };
  return { error: 'is not a Chinese mobile number (11 digits starting 13–19)' };
}

const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function parseEmail(value: string): Parsed<string> {
  const email = fold(value)
    .replace(/^mailto:/i, '')
    .replace(/。/g, '.')
    .replace(/\s+/g, '')
    .toLowerCase();
  if (email.length > 254 || !EMAIL.test(email) || email.includes('..')) return { error: 'is not an email address' };
  return { value: email };
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** 18-character PRC resident ID: region, birth date, sequence, ISO 7064 MOD 11-2 check character. */
export function parseNationalId(value: string, today = todayIso()): Parsed<string> {
  const id = fold(value).replace(/[\s-]/g, '').toUpperCase();
  if (SHORTENED.test(id)) return { error: SHORTENED_HINT };
  if (/^\d{15}$/.test(id)) return { error: 'is an old 15-digit ID number; give the 18-character number' };
  if (!/^[1-9]\d{16}[\dX]$/.test(id)) return { error: 'is not an ID number (18 characters: 17 digits, then a digit or X)' };
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isRealDate(birth) || birth < '1900-01-01' || birth > today) {
    return { error: 'is not a valid ID number: it holds no possible birth date' };
  }
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (id.charCodeAt(i) - 48) * (ID_WEIGHTS[i] ?? 0);
  if (ID_CHECK.charAt(sum % 11) !== id.charAt(17)) {
    return { error: 'is not a valid ID number: its last character does not match the check of the other 17' };
  }
  return { value: id };
}

/** WeChat openids and unionids (28 characters today), WeCom external_userids (wm…/wo…, 32): letters, digits, - and _. */
export function parseOpaqueId(value: string, what: string): Parsed<string> {
  const id = fold(value).trim();
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return { error: `is not a ${what} (16–64 letters, digits, - or _)` };
  return { value: id };
}

export function parseUserId(value: string): Parsed<string> {
  const id = value.replace(/\s+/g, ' ');
  if (id.length > 128) return { error: 'is longer than 128 characters' };
  return { value: id };
}

export function parseText(value: string, max: number): Parsed<string> {
  // Excel users pad Chinese names for alignment: "张  三" is 张三.
  const text = /\s\s|[^\S ]/.test(value) || /\p{Script=Han} /u.test(value) ? squeeze(value) : value;
  if (text.length > max) return { error: `is longer than ${max} characters` };
  return { value: text };
}

function squeeze(value: string): string {
  return value.replace(/\s+/g, ' ').replace(/(\p{Script=Han}) (?=\p{Script=Han})/gu, '$1');
}

export function parseName(value: string): Parsed<string> {
  const name = parseText(value, 64);
  if ('value' in name && /^[\d\s+()-]+$/.test(name.value)) return { error: 'is a number, not a name' };
  if ('value' in name && name.value.includes('@')) return { error: 'is an email address, not a name' };
  return name;
}

// prettier-ignore
const GENDERS = new Map<string, 'male' | 'female' | null>([
  ['男', 'male'], ['男性', 'male'], ['先生', 'male'], ['m', 'male'], ['male', 'male'], ['man', 'male'],
  ['女', 'female'], ['女性', 'female'], ['女士', 'female'], ['小姐', 'female'], ['f', 'female'], ['female', 'female'], ['woman', 'female'],
  ['未知', null], ['保密', null], ['其他', null], ['unknown', null], ['u', null],
]);

/** 'male' | 'female', or null for an answer that states nothing (未知, 保密). */
export function parseGender(value: string): Parsed<'male' | 'female' | null> {
  const key = fold(value).toLowerCase();
  const gender = GENDERS.get(key);
  if (gender === undefined) return { error: 'is not a gender (男/女, M/F, male/female)' };
  return { value: gender };
}

const DATE_FORMATS = 'use a date such as 1990-01-02, 1990/1/2, 19900102 or 1990年1月2日';
// Excel counts days from 1899-12-30 (its 1900 leap-year bug included); 10000 is 1927-05-18.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** A calendar date as YYYY-MM-DD, from the spellings Chinese spreadsheets use, between 1900 and today. */
export function parseDate(value: string, today = todayIso()): Parsed<string> {
  const s = fold(value).trim();
  let iso: string | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.exec(s))) {
    iso = `${m[1]}-${(m[2] ?? '').padStart(2, '0')}-${(m[3] ?? '').padStart(2, '0')}`;
  } else if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) {
    iso = `${m[1]}-${m[2]}-${m[3]}`;
  } else if (/^\d{5}(\.\d+)?$/.test(s)) {
    iso = new Date(EXCEL_EPOCH_MS + Math.floor(Number(s)) * 86_400_000).toISOString().slice(0, 10);
  } else if (/^\d{4}$/.test(s) || /^\d{4}\s*[-/.年]\s*\d{1,2}\s*月?$/.test(s)) {
    return { error: `gives only a year or a month; ${DATE_FORMATS}` };
  }
  if (iso === null || !isRealDate(iso)) return { error: `is not a date; ${DATE_FORMATS}` };
  if (iso < '1900-01-01') return { error: 'is before 1900' };
  if (iso > today) return { error: 'is in the future' };
  return { value: iso };
}

/** YYYY-MM-DD with a month that exists and a day within it. */
function isRealDate(iso: string): boolean {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  if (!(month >= 1 && month <= 12 && day >= 1)) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

let today = { iso: '', until: 0 };

/** Today (UTC) as YYYY-MM-DD, worked out once a minute rather than once a cell. */
function todayIso(): string {
  const now = Date.now();
  if (now >= today.until) today = { iso: new Date(now).toISOString().slice(0, 10), until: now + 60_000 };
  return today.iso;
}

const MAX_BUDGET_YUAN = 100_000_000;

/**
 * Yuan → integer fen. "25万", "25.5w", "¥250,000", "250000元"; a bare number is in `unit`. No car is bought
 * for under 1,000 yuan, so a smaller bare number in yuan is almost surely 万 without its unit: it is refused.
 */
export function parseBudgetFen(value: string, unit: 'yuan' | 'wan' = 'yuan'): Parsed<number> {
  const s = fold(value)
    .toLowerCase()
    .replace(/[\s,，]/g, '')
    .replace(/^(¥|rmb|cny)/, '');
  if (/\d\s*(-|~|至|到)\s*\d/.test(s)) {
    return { error: 'is a range; give one amount, or map the column to a custom trait to keep the text' };
  }
  const m = /^(\d+(?:\.\d+)?)(万元?|w|元|yuan|rmb|cny)?$/.exec(s);
  if (!m) return { error: 'is not an amount of money (for example 250000, 25万 or ¥250,000)' };
  const amount = Number(m[1]);
  const suffix = m[2];
  const inWan = suffix === undefined ? unit === 'wan' : suffix.startsWith('万') || suffix === 'w';
  const yuan = inWan ? amount * 10_000 : amount;
  if (suffix === undefined && unit === 'yuan' && yuan < 1000) {
    return { error: `is too small for a budget in yuan; write ${m[1]}万 if that is meant, or set the column's unit to 万` };
  }
  if (yuan > MAX_BUDGET_YUAN) return { error: 'is more than 100 million yuan' };
  return { value: Math.round(yuan * 100) };
}

const YES = new Set(['是', '同意', '已同意', '允许', '接受', '愿意', 'y', 'yes', 'true', '1', '√', '✓', '✔', 'ok']);
const NO = new Set(['否', '不同意', '拒绝', '已拒绝', '不允许', '不接受', '不愿意', 'n', 'no', 'false', '0', '×', '✗', '✘']);

/** true = granted, false = withdrawn, null = no statement (empty, -, 无). */
export function parseConsentAnswer(value: string): Parsed<boolean | null> {
  const key = fold(value).toLowerCase();
  if (YES.has(key)) return { value: true };
  if (NO.has(key)) return { value: false };
  if (key === '' || isPlaceholder(key)) return { value: null };
  return { error: 'is not a yes/no answer (是/否, 同意/拒绝, Y/N, yes/no, true/false, 1/0)' };
}

export function splitTags(value: string): Parsed<string[]> {
  const tags: string[] = [];
  for (const part of value.split(/[,，、;；|]/)) {
    const tag = part.replace(/\s+/g, ' ').trim();
    if (tag === '' || isPlaceholder(tag) || tags.includes(tag)) continue;
    if (tag.length > 50) return { error: 'has a tag longer than 50 characters' };
    tags.push(tag);
  }
  return { value: tags };
}
