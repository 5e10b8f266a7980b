// Value parsers shared by the lead payload parsers (ADF, mapped JSON, e-mail). A failure is a sentence
// that follows the quoted value: `"2026-13-01" is not a date and time …`.
import { IntakeProblem, LeadInput } from '@forecourt/contracts';
import { normalizeChinaMobile } from '../../../platform/phone.js';

export type Parsed<T> = { value: T } | { error: string };

/** Senders in China write local time without an offset; we read it as Beijing time. */
const DEFAULT_OFFSET = '+08:00';

/** Full-width digits and signs typed with a Chinese IME, as ASCII; trimmed. */
export function fold(s: string): string {
  return (/[^\x20-\x7e]/.test(s) ? s.normalize('NFKC') : s).trim();
}

/** Text as a sender wrote it, without surrounding and repeated whitespace; null when empty. */
export function cleanText(s: string | null | undefined): string | null {
  if (s == null) return null;
  const t = s
    .replace(/&nbsp;/g, ' ')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[ \t\u00a0\u3000]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
  return t === '' ? null : t;
}

/** The mobile number in E.164 (+86…), or null when the text is not a Chinese personal mobile. */
export function mobileOrNull(value: string): string | null {
  return normalizeChinaMobile(fold(value));
}

const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(\.\d+)?秒?)?)?$/;

/**
 * A time as senders write it → ISO 8601 in UTC. With an offset or Z as given; without one
 * ("2026-11-24 10:00:00", "2026/11/24", "2026年11月24日 10:00") as Beijing time; a number or a string
 * of 10 or 13 digits as epoch seconds or milliseconds.
 */
export function parseDateTime(value: string | number): Parsed<string> {
  if (typeof value === 'number') return epoch(value);
  const s = fold(value);
  if (/^\d{10}(\d{3})?$/.test(s)) return epoch(Number(s));
  let m = ISO_WITH_OFFSET.exec(s);
  if (m) {
    const [, y = '', mo = '', d = '', h = '', mi = '', sec = '00', frac = '', off = 'Z'] = m;
    const offset = off.toUpperCase() === 'Z' ? 'Z' : off.length === 5 ? `${off.slice(0, 3)}:${off.slice(3)}` : off;
    return checked(`${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${offset}`, [y, mo, d, h, mi, sec], value);
  }
  m = LOCAL.exec(s);
  if (m) {
    const [, y = '', mo = '', d = '', h = '00', mi = '00', sec = '00', frac = ''] = m;
    const p2 = (v: string) => v.padStart(2, '0');
    const parts = [y, p2(mo), p2(d), p2(h), p2(mi), p2(sec)] as const;
    return checked(`${parts[0]}-${parts[1]}-${parts[2]}T${parts[3]}:${parts[4]}:${parts[5]}${frac}${DEFAULT_OFFSET}`, parts, value);
  }
  return { error: 'is not a date and time (expected e.g. 2026-11-24T10:00:00+08:00 or 2026-11-24 10:00:00)' };
}

function epoch(n: number): Parsed<string> {
  if (!Number.isFinite(n) || n <= 0) return { error: 'is not a timestamp' };
  const ms = n < 1e11 ? n * 1000 : n; // seconds until the year 5138, milliseconds after
  return inRange(new Date(ms));
}

function checked(iso: string, parts: readonly string[], original: string): Parsed<string> {
  const [y, mo, d, h, mi, sec] = parts.map(Number) as [number, number, number, number, number, number];
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  const real = probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d && h < 24 && mi < 60 && sec < 60;
  const date = new Date(iso);
  if (!real || Number.isNaN(date.getTime())) return { error: `is not a real date and time (${original.trim()})` };
  return inRange(date);
}

function inRange(date: Date): Parsed<string> {
  const year = date.getUTCFullYear();
  if (year < 2000 || year > 2100) return { error: 'is outside the years 2000–2100' };
  return { value: date.toISOString() };
}

const WAN = /^(万|万元|w|W)$/;
const YUAN = /^(元|rmb|cny|yuan)?$/i;

/**
 * An amount of money → yuan. "25.5万", "25.5w", "¥255,000", "255000元" and 25.5 with unit 'wan' are all
 * 255000. `unit` says what a bare number means.
 */
export function parseYuan(value: string | number, unit: 'yuan' | 'wan' = 'yuan'): Parsed<number> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { error: 'is not an amount of money' };
    return { value: round2(unit === 'wan' ? value * 10_000 : value) };
  }
  const s = fold(value)
    .replace(/^[¥￥]\s*/, '')
    .replace(/,/g, '');
  const m = /^(\d+(?:\.\d+)?)\s*(\S*)$/.exec(s);
  if (!m) return { error: 'is not an amount of money' };
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  if (WAN.test(suffix)) return { value: round2(n * 10_000) };
  if (YUAN.test(suffix)) return { value: round2(unit === 'wan' && suffix === '' ? n * 10_000 : n) };
  return { error: `is not an amount of money in yuan (unknown unit "${suffix}")` };
}

/**
 * A budget: "10-15万", "10万~15万", "10至15万", "15万以内", "30万以上", "25.5万" (min and max both),
 * or a number. The unit written after the range applies to both ends.
 */
export function parseBudget(value: string | number, unit: 'yuan' | 'wan' = 'yuan'): Parsed<{ min?: number; max?: number }> {
  if (typeof value === 'number') {
    const one = parseYuan(value, unit);
    return 'error' in one ? one : { value: { min: one.value, max: one.value } };
  }
  const s = fold(value).replace(/\s+/g, '');
  const bound = /^(.+?)(以下|以内|之内|内|以上|起)$/.exec(s);
  if (bound) {
    const amount = parseYuan(bound[1] ?? '', unit);
    if ('error' in amount) return { error: 'is not a budget (expected e.g. 10-15万 or 20万以内)' };
    return { value: bound[2] === '以上' || bound[2] === '起' ? { min: amount.value } : { max: amount.value } };
  }
  const range = /^([\d.]+)(万|万元|w|W|元)?(?:-|~|～|—|–|至|到)([\d.]+)(\S*)$/.exec(s);
  if (range) {
    const [, a = '', unitA = '', b = '', unitB = ''] = range;
    const lo = parseYuan(a + (unitA || unitB), unit);
    const hi = parseYuan(b + unitB, unit);
    if ('error' in lo || 'error' in hi) return { error: 'is not a budget (expected e.g. 10-15万 or 20万以内)' };
    return { value: { min: Math.min(lo.value, hi.value), max: Math.max(lo.value, hi.value) } };
  }
  const one = parseYuan(s, unit);
  if ('error' in one) return { error: 'is not a budget (expected e.g. 10-15万 or 20万以内)' };
  return { value: { min: one.value, max: one.value } };
}

const TRUE_WORDS = new Set(['是', '有', '需要', '要', '1', 'true', 'yes', 'y', 't', '对']);
const FALSE_WORDS = new Set(['否', '无', '没有', '不需要', '不要', '0', 'false', 'no', 'n', 'f', '不']);

/** 是/否, 有/无, 1/0, true/false, yes/no (and real booleans and 0/1 numbers). */
export function parseBool(value: unknown): Parsed<boolean> {
  if (typeof value === 'boolean') return { value };
  if (value === 1 || value === 0) return { value: value === 1 };
  if (typeof value !== 'string') return { error: 'is not yes or no' };
  const s = fold(value).toLowerCase();
  if (TRUE_WORDS.has(s)) return { value: true };
  if (FALSE_WORDS.has(s)) return { value: false };
  return { error: 'is not yes or no (expected 是/否, 1/0 or true/false)' };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A lead being assembled: LeadInput's shape before validation. */
export interface LeadDraft {
  externalId?: string;
  customer: {
    name?: string;
    phone?: string;
    email?: string;
    wechatUnionid?: string;
    wecomExternalUserid?: string;
    gender?: 'male' | 'female';
    province?: string;
    city?: string;
    address?: string;
  };
  campaign?: string;
  cost?: number;
  vehicle?: {
    brand?: string;
    series?: string;
    model?: string;
    trim?: string;
    year?: number;
    condition?: 'new' | 'used';
    vin?: string;
  };
  budget?: { min?: number; max?: number };
  timeframe?: string;
  tradeIn?: boolean;
  financing?: boolean;
  preferredStoreCode?: string;
  comments?: string;
  priority?: 'normal' | 'high';
  requestedAt?: string;
}

const COMMENTS_MAX = 2000;

/**
 * Validates a draft against LeadInput. A field LeadInput rejects is left out and reported (the rest of
 * the lead is still good); long comments are cut rather than dropped. `where(field)` names the field
 * in the sender's terms (an element path, a JSON path).
 */
export function finishLead(draft: LeadDraft, index: number, where: (field: string) => string, problems: IntakeProblem[]): LeadInput {
  if (draft.comments && draft.comments.length > COMMENTS_MAX) {
    draft.comments = `${draft.comments.slice(0, COMMENTS_MAX - 1)}…`;
    problems.push({ index, path: where('comments'), message: `comments are longer than ${COMMENTS_MAX} characters and were cut` });
  }
  let current: unknown = draft;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const result = LeadInput.safeParse(current);
    if (result.success) return result.data;
    const copy = structuredClone(current) as Record<string, unknown>;
    for (const issue of result.error.issues) {
      const field = issue.path.map(String).join('.');
      problems.push({ index, path: where(field), message: `${field} was left out: ${issue.message}` });
      removePath(copy, issue.path);
    }
    current = copy;
  }
  throw new Error('finishLead: validation did not settle');
}

function removePath(obj: Record<string, unknown>, path: readonly PropertyKey[]): void {
  if (path.length === 0) return;
  let node: unknown = obj;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  if (typeof node === 'object' && node !== null) delete (node as Record<PropertyKey, unknown>)[path[path.length - 1] as PropertyKey];
}
