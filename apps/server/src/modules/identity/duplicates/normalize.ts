// Field normalisation shared by the blocking keys and the scorer.
import { pinyin } from 'pinyin-pro';

export type ParsedName =
  /** Chinese characters, surname first; one toneless syllable per character ('lv' for 吕). */
  | { kind: 'han'; chars: string[]; syllables: string[] }
  /** Typed in pinyin or latin letters: as written and with the last word moved first ('Wei Zhang'), same for initials. */
  | { kind: 'latin'; spellings: string[]; initials: string[] }
  | { kind: 'initials'; letters: string }
  /** '张先生', '王女士', '李总': only the surname is known. */
  | { kind: 'title'; surname: string };

const HAN = /\p{Script=Han}/u;
const TITLES = ['先生', '女士', '小姐', '太太', '老师', '师傅', '老板', '总'];
const COMPOUND_SURNAMES = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '慕容',
  '夏侯',
  '令狐',
  '公孙',
  '司徒',
  '长孙',
  '宇文',
  '尉迟',
]);

/** Surname mode reads 曾 as zeng and 单 as shan at the head of the name, as people say them. */
export function hanToPinyin(han: string): string[] {
  return pinyin(han, { toneType: 'none', type: 'array', mode: 'surname', surname: 'head', v: true });
}

export function parseName(raw: string | null): ParsedName | null {
  if (!raw) return null;
  const chars = [...raw].filter((ch) => HAN.test(ch));
  if (chars.length > 0) return parseHanName(chars);
  return parseLatinName(raw);
}

function parseHanName(chars: string[]): ParsedName | null {
  const text = chars.join('');
  const title = TITLES.find((t) => text.endsWith(t));
  if (title === text) return null;
  if (title) {
    const surname = text.slice(0, -title.length);
    if (surname.length === 1 || COMPOUND_SURNAMES.has(surname)) return { kind: 'title', surname: hanToPinyin(surname).join('') };
  }
  return { kind: 'han', chars, syllables: hanToPinyin(text) };
}

function parseLatinName(raw: string): ParsedName | null {
  const words = raw
    .replace(/[üÜ]/g, 'v')
    .replace(/([a-z])([A-Z])/g, '$1 $2') // ZhangWei
    .normalize('NFD')
    .replace(/\p{M}/gu, '') // tone marks: Zhāng Wěi
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean)
    .map((w) => w.replace(/^([ln])yu/, '$1v')); // passport spelling of 吕: Lyu
  if (words.length === 0) return null;
  const first = words[0]!;
  if ((words.length > 1 && words.every((w) => w.length === 1)) || (words.length === 1 && first.length <= 4 && !/[aeiouv]/.test(first))) {
    return { kind: 'initials', letters: words.join('') };
  }
  const lastFirst = words.length > 1 ? [words.at(-1)!, ...words.slice(0, -1)] : words;
  const both = (join: (ws: string[]) => string) => [...new Set([join(words), join(lastFirst)])];
  return { kind: 'latin', spellings: both((ws) => ws.join('')), initials: both((ws) => ws.map((w) => w[0]).join('')) };
}

/** Spellings the name may be written as, in pinyin without spaces ('zhangwei'); none for initials or titles. */
export function nameSpellings(name: ParsedName): string[] {
  if (name.kind === 'han') return [name.syllables.join('')];
  if (name.kind === 'latin') return name.spellings;
  return [];
}

/** Initials as the name could be abbreviated, surname first ('zw' for 张伟 and for 'Wei Zhang'). */
export function nameInitials(name: ParsedName): string[] {
  if (name.kind === 'han') return [name.syllables.map((s) => s[0] ?? '').join('')];
  if (name.kind === 'latin') return name.initials;
  if (name.kind === 'initials') return [name.letters];
  return [];
}

/**
 * Merges sounds that speakers of southern dialects and fuzzy-pinyin keyboards confuse:
 * zh/z, ch/c, sh/s, ang/an, eng/en, ing/in, and ü typed as u.
 */
export function fuzzyPinyin(spelling: string): string {
  return spelling
    .replace(/([zcs])h/g, '$1')
    .replace(/ng/g, 'n')
    .replace(/v/g, 'u');
}

/** National number for China (no 86), otherwise every digit. */
export function phoneDigits(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  return digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
}

export type PhoneRelation = 'equal' | 'one_digit' | 'transposed' | 'different';

export function comparePhones(a: string, b: string): PhoneRelation {
  const x = phoneDigits(a);
  const y = phoneDigits(b);
  if (x === y) return 'equal';
  if (x.length !== y.length) return 'different';
  const diff: number[] = [];
  for (let i = 0; i < x.length && diff.length <= 2; i++) if (x[i] !== y[i]) diff.push(i);
  if (diff.length === 1) return 'one_digit';
  const [i, j] = diff;
  if (diff.length === 2 && i !== undefined && j === i + 1 && x[i] === y[j] && x[j] === y[i]) return 'transposed';
  return 'different';
}

/** Local part without dots, dashes, underscores and +tags, so 'zhang.wei88' and 'zhangwei88' compare equal. */
export function splitEmail(email: string): { local: string; domain: string } | null {
  const at = email.lastIndexOf('@');
  if (at <= 0) return null;
  const local = email.slice(0, at).toLowerCase().replace(/\+.*$/, '').replace(/[._-]/g, '');
  return local ? { local, domain: email.slice(at + 1).toLowerCase() } : null;
}

export function normalizeCity(city: string | null): string | null {
  const c = city?.trim().replace(/市$/, '');
  return c ? c : null;
}

export function normalizeVehicle(series: string | null): string | null {
  const v = series?.toLowerCase().replace(/[\s.\-_]/g, '');
  return v ? v : null;
}

/** Optimal string alignment distance ≤ 1: one substitution, insertion, deletion or adjacent transposition. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
