// Scores how likely two profiles that share no strong identifier are the same person. Each field adds
// evidence in log-odds (positive for agreement, negative for contradiction) to a prior; the score is the
// logistic of the sum. Weights were set by hand and tuned on the generated set with seed 1 (test-set.ts).
import type { DuplicateCandidate } from './candidate.js';
import {
  comparePhones,
  fuzzyPinyin,
  nameInitials,
  nameSpellings,
  normalizeCity,
  normalizeVehicle,
  parseName,
  splitEmail,
  withinOneEdit,
  type ParsedName,
} from './normalize.js';

/** Machine codes for the console to translate; `_different` codes are contradicting evidence. */
export const DUPLICATE_REASONS = [
  'name_exact',
  'name_pinyin', // same sound, other characters (张伟 / 章伟) or other word order ('Wei Zhang')
  'name_latin', // typed in pinyin ('Zhang Wei' / 张伟)
  'name_pinyin_fuzzy', // zh/z, ang/an, ing/in, ü/u confused (林琳 / 林玲)
  'name_typo', // pinyin one letter off
  'name_initials', // 'ZW' / 张伟
  'name_title', // '张先生' / 张伟
  'name_one_char', // one character different, same surname (王小明 / 王晓明 is name_pinyin; 王小明 / 王大明 is this)
  'name_different',
  'phone_equal',
  'phone_one_digit',
  'phone_transposed',
  'phone_different',
  'email_equal',
  'email_local_part', // same mailbox name at another domain, or with dots
  'email_local_part_name', // same, but the mailbox name is just the person's name: many people have one
  'email_typo',
  'email_different',
  'city_equal',
  'city_different',
  'vehicle_equal',
  'vehicle_different',
] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

export interface PairScore {
  /** 0..1; a pair is shown for review at DUPLICATE_THRESHOLD or above. */
  score: number;
  reasons: DuplicateReason[];
}

// Two rules fix the scale. Name agreement alone, even with city and vehicle, stays below the threshold: 王伟 in
// 上海 is thousands of people. A phone one digit off alone (no name on one side) also stays below: in a tenant of
// a million profiles about one number in fifty has a neighbour one digit away by chance, which is probably as common
// as a mistyped number. A pair needs a name that fits and contact evidence, or strong contact evidence.
const PRIOR = -3;
const WEIGHT: Record<DuplicateReason, number> = {
  name_exact: 2.5,
  name_pinyin: 2.2,
  name_latin: 2.2,
  name_pinyin_fuzzy: 1.5,
  name_typo: 1.2,
  name_initials: 1.5,
  name_title: 1.2,
  name_one_char: 0.5,
  name_different: -3,
  phone_equal: 6,
  phone_one_digit: 4.3,
  phone_transposed: 4.3,
  phone_different: -1.5,
  email_equal: 6,
  email_local_part: 5,
  email_local_part_name: 0.8,
  email_typo: 3,
  email_different: -0.5,
  city_equal: 0.6,
  city_different: -1.5,
  vehicle_equal: 0.6,
  vehicle_different: -0.2,
};
/** Two people share a three-character name far less often than 王伟 or 李娜. */
const LONG_NAME_BONUS = 0.5;
/** A weaker contradiction when one side is only initials or a title: less information to disagree with. */
const WEAK_NAME_DIFFERENT = -2;
const MIN_TYPO_LENGTH = 5;
/** 'wangwei' at two domains is weak; 'chentianmei' (a three-syllable name) much less likely to be two people. */
const LONG_NAME_LOCAL = 9;
const LONG_NAME_LOCAL_WEIGHT = 2;
const NAME_EMAIL_TYPO_WEIGHT = 0.5;

export const DUPLICATE_THRESHOLD = 0.8;

export function scorePair(a: DuplicateCandidate, b: DuplicateCandidate): PairScore {
  let logit = PRIOR;
  const reasons: DuplicateReason[] = [];
  const add = (evidence: Evidence | null) => {
    if (!evidence) return;
    logit += evidence.weight ?? WEIGHT[evidence.reason];
    reasons.push(evidence.reason);
  };
  const nameA = parseName(a.name);
  const nameB = parseName(b.name);
  add(nameA && nameB ? withLengthBonus(compareNames(nameA, nameB), nameA, nameB) : null);
  add(comparePhoneLists(a.phones, b.phones));
  add(compareEmailLists(a.emails, b.emails, [nameA, nameB]));
  add(compareValues(normalizeCity(a.city), normalizeCity(b.city), 'city_equal', 'city_different'));
  add(compareValues(normalizeVehicle(a.vehicleOfInterest), normalizeVehicle(b.vehicleOfInterest), 'vehicle_equal', 'vehicle_different'));
  return { score: 1 / (1 + Math.exp(-logit)), reasons };
}

interface Evidence {
  reason: DuplicateReason;
  /** Overrides the reason's usual weight. */
  weight?: number;
}

function compareNames(a: ParsedName, b: ParsedName): Evidence | null {
  if (a.kind === 'title') return compareTitle(a, b);
  if (b.kind === 'title') return compareTitle(b, a);
  if (a.kind === 'initials' || b.kind === 'initials') {
    const initials = new Set(nameInitials(a));
    return nameInitials(b).some((i) => initials.has(i))
      ? { reason: 'name_initials' }
      : { reason: 'name_different', weight: WEAK_NAME_DIFFERENT };
  }
  if (a.kind === 'han' && b.kind === 'han') {
    if (a.chars.join('') === b.chars.join('')) return { reason: 'name_exact' };
    if (a.syllables.join('') === b.syllables.join('')) return { reason: 'name_pinyin' };
  }
  const spellingsA = nameSpellings(a);
  const spellingsB = nameSpellings(b);
  if (a.kind === 'latin' && b.kind === 'latin' && spellingsA[0] === spellingsB[0]) return { reason: 'name_exact' };
  if (spellingsA.some((s) => spellingsB.includes(s))) return { reason: a.kind === b.kind ? 'name_pinyin' : 'name_latin' };
  const fuzzyB = spellingsB.map(fuzzyPinyin);
  if (spellingsA.some((s) => fuzzyB.includes(fuzzyPinyin(s)))) return { reason: 'name_pinyin_fuzzy' };
  if (spellingsA.some((s) => s.length >= MIN_TYPO_LENGTH && spellingsB.some((t) => withinOneEdit(s, t)))) return { reason: 'name_typo' };
  if (a.kind === 'han' && b.kind === 'han' && oneCharacterApart(a.chars, b.chars)) return { reason: 'name_one_char' };
  return { reason: 'name_different' };
}

function withLengthBonus(evidence: Evidence | null, a: ParsedName, b: ParsedName): Evidence | null {
  if (!evidence || !['name_exact', 'name_pinyin', 'name_latin'].includes(evidence.reason)) return evidence;
  const syllables = Math.max(...[a, b].map((n) => (n.kind === 'han' ? n.syllables.length : 0)));
  return syllables >= 3 ? { ...evidence, weight: WEIGHT[evidence.reason] + LONG_NAME_BONUS } : evidence;
}

/** Same surname, at least three characters on one side, one character replaced, added or dropped in the given name. */
function oneCharacterApart(a: string[], b: string[]): boolean {
  if (a[0] !== b[0] || Math.max(a.length, b.length) < 3) return false;
  return withinOneEdit(a.slice(1).join(''), b.slice(1).join(''));
}

function compareTitle(title: { surname: string }, other: ParsedName): Evidence | null {
  let same: boolean;
  if (other.kind === 'title') same = other.surname === title.surname;
  else if (other.kind === 'han') same = [1, 2].some((n) => other.syllables.slice(0, n).join('') === title.surname);
  else if (other.kind === 'latin') same = other.spellings.some((s) => s.startsWith(title.surname));
  else return null; // initials against a surname: too little to say either way
  return same ? { reason: 'name_title' } : { reason: 'name_different', weight: WEAK_NAME_DIFFERENT };
}

function comparePhoneLists(a: string[], b: string[]): Evidence | null {
  if (a.length === 0 || b.length === 0) return null;
  let best: Evidence = { reason: 'phone_different' };
  for (const x of a) {
    for (const y of b) {
      const relation = comparePhones(x, y);
      if (relation === 'equal') return { reason: 'phone_equal' };
      if (relation === 'one_digit') best = { reason: 'phone_one_digit' };
      else if (relation === 'transposed' && best.reason === 'phone_different') best = { reason: 'phone_transposed' };
    }
  }
  return best;
}

function compareEmailLists(a: string[], b: string[], names: (ParsedName | null)[]): Evidence | null {
  if (a.length === 0 || b.length === 0) return null;
  const nameLike = new Set(names.flatMap((n) => (n ? [...nameSpellings(n), ...nameInitials(n)] : [])));
  let best: Evidence = { reason: 'email_different' };
  const rank = (e: Evidence) => e.weight ?? WEIGHT[e.reason];
  for (const x of a) {
    for (const y of b) {
      if (x.toLowerCase() === y.toLowerCase()) return { reason: 'email_equal' };
      const ex = splitEmail(x);
      const ey = splitEmail(y);
      if (!ex || !ey) continue;
      let found: Evidence | null = null;
      if (ex.local === ey.local && isNameLike(ex.local, nameLike)) {
        found = { reason: 'email_local_part_name', weight: ex.local.length >= LONG_NAME_LOCAL ? LONG_NAME_LOCAL_WEIGHT : undefined };
      } else if (ex.local === ey.local) found = { reason: 'email_local_part' };
      else if (Math.min(ex.local.length, ey.local.length) >= 6 && withinOneEdit(ex.local, ey.local)) {
        // wangwei1965 / wangwei1995 are two people born in different years more often than one typo.
        const afterName = [...nameLike].some((n) => n.length >= 2 && ex.local.startsWith(n) && ey.local.startsWith(n));
        const weight = afterName ? NAME_EMAIL_TYPO_WEIGHT : ex.domain === ey.domain ? WEIGHT.email_typo : WEIGHT.email_typo - 1;
        found = { reason: 'email_typo', weight };
      }
      if (found && rank(found) > rank(best)) best = found;
    }
  }
  return best;
}

/** A mailbox named after the person, or short letters only ('wangwei', 'lily'), is shared by unrelated people across domains. */
function isNameLike(local: string, nameLike: Set<string>): boolean {
  return nameLike.has(local) || nameLike.has(local.replace(/u/g, 'v')) || (/^[a-z]+$/.test(local) && local.length < 6);
}

function compareValues(a: string | null, b: string | null, equal: DuplicateReason, different: DuplicateReason): Evidence | null {
  if (a === null || b === null) return null;
  return { reason: a === b ? equal : different };
}
