// Blocking keys: the database job stores these per profile in an indexed table and scores only pairs that
// share one, so every key must be selective (no key that thousands of profiles share, like a city or '王伟').
//
//   p:1381234?678        each phone with one digit wildcarded: numbers one digit apart share a key
//                        (11 keys per Chinese mobile, the wildcard at every position)
//   t:13812[34]5678      each phone with two adjacent different digits sorted: transpositions share a key (≤ 10 keys)
//   e:zhangwei88         email local part without dots, dashes, +tags: another domain or a dot shares it.
//                        Each domain has at most one such mailbox, so a key is shared by at most a few dozen profiles.
//                        For local parts of 6+ characters also each one-character deletion (e:zhangwei8, e:hangwei88, …):
//                        one typo (a wrong, missing, extra or swapped character) then shares a key (≤ 30 keys)
//   nc:wangwei@上海      name in toneless pinyin (any written order) + city: homophones and pinyin-typed names
//   n:zhangxiaoming      name alone, only for long names (≥ 9 letters of pinyin, mostly three-syllable names);
//                        a short name such as wangwei alone would gather thousands of profiles
import type { DuplicateCandidate } from './candidate.js';
import { nameSpellings, normalizeCity, parseName, phoneDigits, splitEmail } from './normalize.js';

const MIN_PHONE_DIGITS = 7;
const MIN_EMAIL_LOCAL = 4;
const MIN_EMAIL_TYPO_LOCAL = 6; // as in the scorer's email_typo
const MIN_NAME_ALONE = 9;

export function blockingKeys(c: DuplicateCandidate): string[] {
  const keys = new Set<string>();
  for (const phone of c.phones) {
    const d = phoneDigits(phone);
    if (d.length < MIN_PHONE_DIGITS) continue;
    for (let i = 0; i < d.length; i++) keys.add(`p:${d.slice(0, i)}?${d.slice(i + 1)}`);
    for (let i = 0; i + 1 < d.length; i++) {
      const x = d[i]!;
      const y = d[i + 1]!;
      if (x !== y) keys.add(`t:${d.slice(0, i)}[${x < y ? x + y : y + x}]${d.slice(i + 2)}`);
    }
  }
  for (const email of c.emails) {
    const parts = splitEmail(email);
    if (!parts || parts.local.length < MIN_EMAIL_LOCAL) continue;
    keys.add(`e:${parts.local}`);
    if (parts.local.length < MIN_EMAIL_TYPO_LOCAL) continue;
    for (let i = 0; i < parts.local.length; i++) keys.add(`e:${parts.local.slice(0, i)}${parts.local.slice(i + 1)}`);
  }
  const name = parseName(c.name);
  const city = normalizeCity(c.city);
  for (const spelling of name ? nameSpellings(name) : []) {
    const spelled = spelling.replace(/v/g, 'u'); // 'lv' and 'lu' for 吕 meet in the same block
    if (city) keys.add(`nc:${spelled}@${city}`);
    if (spelled.length >= MIN_NAME_ALONE) keys.add(`n:${spelled}`);
  }
  return [...keys];
}

export function shareBlockingKey(a: DuplicateCandidate, b: DuplicateCandidate): boolean {
  const keys = new Set(blockingKeys(a));
  return blockingKeys(b).some((k) => keys.has(k));
}
