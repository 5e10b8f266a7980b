import { describe, expect, it } from 'vitest';
import { blockingKeys, shareBlockingKey } from './blocking-keys.js';
import type { DuplicateCandidate } from './candidate.js';
import { evaluate, predictDuplicate } from './evaluate.js';
import { DUPLICATE_THRESHOLD, scorePair } from './score-pair.js';
import { generateDuplicateTestSet } from './test-set.js';

let nextId = 0;
function profile(fields: Partial<DuplicateCandidate>): DuplicateCandidate {
  return { id: String(nextId++), name: null, phones: [], emails: [], city: null, vehicleOfInterest: null, ...fields };
}
const zhangWei = profile({ name: '张伟', phones: ['+8613812345678'], city: '上海', vehicleOfInterest: 'ID.4' });

describe('scorePair: names', () => {
  it('when the name is written with a homophone character (张伟 / 章伟), then name_pinyin', () => {
    expect(scorePair(zhangWei, profile({ name: '章伟' })).reasons).toContain('name_pinyin');
    expect(scorePair(profile({ name: '李静' }), profile({ name: '李婧' })).reasons).toContain('name_pinyin');
  });

  it.each(['zhang wei', 'Zhang Wei', 'ZHANG Wei', 'Wei Zhang', 'ZhangWei', 'Zhāng Wěi'])(
    'when the name is typed in pinyin (%s), then name_latin',
    (typed) => {
      expect(scorePair(zhangWei, profile({ name: typed })).reasons).toContain('name_latin');
    },
  );

  it('reads a surname as a surname: 曾伟 is Zeng Wei, not Ceng Wei', () => {
    expect(scorePair(profile({ name: '曾伟' }), profile({ name: 'Zeng Wei' })).reasons).toContain('name_latin');
  });

  it('when 吕 is typed lv, lyu or lu, then the names match', () => {
    const lv = profile({ name: '吕芳' });
    expect(scorePair(lv, profile({ name: 'Lv Fang' })).reasons).toContain('name_latin');
    expect(scorePair(lv, profile({ name: 'LYU Fang' })).reasons).toContain('name_latin');
    expect(scorePair(lv, profile({ name: 'Lu Fang' })).reasons).toContain('name_pinyin_fuzzy');
  });

  it.each(['ZW', 'zw', 'Z.W.'])('when only initials are known (%s), then name_initials', (initials) => {
    expect(scorePair(zhangWei, profile({ name: initials })).reasons).toContain('name_initials');
  });

  it('when only the surname and a title are known (张先生), then name_title, and another surname contradicts', () => {
    expect(scorePair(zhangWei, profile({ name: '张先生' })).reasons).toContain('name_title');
    expect(scorePair(zhangWei, profile({ name: '王女士' })).reasons).toContain('name_different');
  });

  it('when one character of a three-character name differs, then name_one_char; a two-character name that differs is another name', () => {
    expect(scorePair(profile({ name: '王小明' }), profile({ name: '王大明' })).reasons).toContain('name_one_char');
    expect(scorePair(profile({ name: '王伟' }), profile({ name: '王强' })).reasons).toContain('name_different');
  });

  it('when southern speakers confuse in/ing (林琳 / 林玲), then name_pinyin_fuzzy', () => {
    expect(scorePair(profile({ name: '林琳' }), profile({ name: '林玲' })).reasons).toContain('name_pinyin_fuzzy');
  });
});

describe('scorePair: contact details', () => {
  it('when a phone is one digit off or has two adjacent digits swapped, then the pair reaches the threshold', () => {
    const oneDigit = scorePair(zhangWei, profile({ name: '章伟', phones: ['+8613812345679'] }));
    expect(oneDigit.reasons).toContain('phone_one_digit');
    expect(oneDigit.score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
    const swapped = scorePair(zhangWei, profile({ name: 'Zhang Wei', phones: ['+8613812346578'] }));
    expect(swapped.reasons).toContain('phone_transposed');
    expect(swapped.score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
  });

  it('when phones differ in two digits that are not a swap, then that is contradicting evidence', () => {
    const r = scorePair(zhangWei, profile({ name: '张伟', phones: ['+8613812355679'], city: '上海' }));
    expect(r.reasons).toContain('phone_different');
    expect(r.score).toBeLessThan(DUPLICATE_THRESHOLD);
  });

  it('when the same mailbox name is at another domain or has a dot, then email_local_part', () => {
    const a = profile({ name: '张伟', emails: ['zhangwei1988@163.com'] });
    expect(scorePair(a, profile({ name: '张伟', emails: ['zhangwei1988@qq.com'] })).reasons).toContain('email_local_part');
    expect(scorePair(a, profile({ name: '张伟', emails: ['zhang.wei1988@163.com'] })).reasons).toContain('email_local_part');
  });

  it('when the shared mailbox name is just the name (wangwei@163.com / wangwei@qq.com), then it is weak evidence', () => {
    const a = profile({ name: '王伟', phones: ['+8613900001111'], emails: ['wangwei@163.com'], city: '上海' });
    const b = profile({ name: '王伟', phones: ['+8618611112222'], emails: ['wangwei@qq.com'], city: '上海' });
    const r = scorePair(a, b);
    expect(r.reasons).toContain('email_local_part_name');
    expect(r.score).toBeLessThan(DUPLICATE_THRESHOLD);
  });
});

describe('scorePair: hard negatives', () => {
  it('when 王伟 and 王伟 in the same city have unrelated phones, then the pair stays below the threshold', () => {
    const a = profile({ name: '王伟', phones: ['+8613912345678'], city: '上海', vehicleOfInterest: '朗逸' });
    const b = profile({ name: '王伟', phones: ['+8618687654321'], city: '上海市', vehicleOfInterest: '朗逸' });
    const r = scorePair(a, b);
    expect(r.reasons).toEqual(expect.arrayContaining(['name_exact', 'phone_different', 'city_equal', 'vehicle_equal']));
    expect(r.score).toBeLessThan(DUPLICATE_THRESHOLD);
  });

  it('when only the name, city and car agree (one side has no phone), then the pair stays below the threshold', () => {
    const a = profile({ name: '王伟', phones: ['+8613912345678'], city: '上海', vehicleOfInterest: '朗逸' });
    expect(scorePair(a, profile({ name: '王伟', city: '上海', vehicleOfInterest: '朗逸' })).score).toBeLessThan(DUPLICATE_THRESHOLD);
    expect(scorePair(a, profile({ name: '王晓伟', city: '上海', vehicleOfInterest: '朗逸' })).score).toBeLessThan(DUPLICATE_THRESHOLD);
  });

  it('when phones are one digit apart but the names are clearly different, then the pair stays below the threshold', () => {
    const r = scorePair(zhangWei, profile({ name: '刘芳', phones: ['+8613812345679'], city: '上海' }));
    expect(r.reasons).toContain('name_different');
    expect(r.score).toBeLessThan(DUPLICATE_THRESHOLD);
  });

  it('when a phone one digit apart is the only evidence (no name on one side), then the pair stays below the threshold', () => {
    expect(scorePair(zhangWei, profile({ phones: ['+8613812345679'] })).score).toBeLessThan(DUPLICATE_THRESHOLD);
  });

  it('when the cities differ, then the score is lower than when they agree', () => {
    const b = { name: '章伟', phones: ['+8613812345679'] };
    expect(scorePair(zhangWei, profile({ ...b, city: '北京' })).score).toBeLessThan(
      scorePair(zhangWei, profile({ ...b, city: '上海' })).score,
    );
    expect(scorePair(zhangWei, profile({ ...b, city: '北京' })).reasons).toContain('city_different');
  });

  it('is symmetric', () => {
    const a = profile({ name: 'Wei Zhang', phones: ['+8613812345679'], emails: ['zw88@qq.com'], city: '上海' });
    expect(scorePair(a, zhangWei)).toEqual(scorePair(zhangWei, a));
  });
});

describe('predictDuplicate', () => {
  it('when a record typed in pinyin has a phone one digit off, then the pair goes to review; 王伟 and 王伟 do not', () => {
    expect(predictDuplicate(zhangWei, profile({ name: 'Zhang Wei', phones: ['+8613812345670'], city: '上海' }))).toBe(true);
    const a = profile({ name: '王伟', phones: ['+8613912345678'], city: '上海' });
    expect(predictDuplicate(a, profile({ name: '王伟', phones: ['+8615012345678'], city: '上海' }))).toBe(false);
  });
});

describe('blockingKeys', () => {
  it('gives typical duplicates a shared key', () => {
    const pairs: [Partial<DuplicateCandidate>, Partial<DuplicateCandidate>][] = [
      [{ phones: ['+8613812345678'] }, { phones: ['+8613812345679'] }], // one digit
      [{ phones: ['+8613812345678'] }, { phones: ['+8613812346578'] }], // adjacent digits swapped
      [{ phones: ['+8613812345678'] }, { phones: ['+8613912345678'] }], // prefix typo
      [{ emails: ['zhangwei1988@163.com'] }, { emails: ['zhang.wei1988@qq.com'] }],
      [{ emails: ['zhangwei1988@163.com'] }, { emails: ['zhangwei198@163.com'] }], // a character lost
      [{ emails: ['zhangwei1988@163.com'] }, { emails: ['zhangwie1988@163.com'] }], // two swapped
      [{ emails: ['515001234@qq.com'] }, { emails: ['515001234@foxmail.com'] }],
      [
        { name: '张伟', city: '上海' },
        { name: '章伟', city: '上海市' },
      ],
      [
        { name: '张伟', city: '上海' },
        { name: 'Wei Zhang', city: '上海' },
      ],
      [{ name: '张晓明' }, { name: 'Zhang Xiaoming' }], // a long name without a city
    ];
    for (const [a, b] of pairs) expect(shareBlockingKey(profile(a), profile(b)), JSON.stringify([a, b])).toBe(true);
  });

  it('never keys on a city, a car or a short name alone', () => {
    const keys = blockingKeys(profile({ name: '王伟', city: '上海', vehicleOfInterest: 'ID.4' }));
    expect(keys).toEqual(['nc:wangwei@上海']);
    expect(blockingKeys(profile({ city: '上海', vehicleOfInterest: 'ID.4' }))).toEqual([]);
  });

  it('keeps the number of keys per profile bounded (21 per Chinese mobile)', () => {
    const keys = blockingKeys(profile({ phones: ['+8613812345678'] }));
    expect(keys.length).toBeLessThanOrEqual(21);
    expect(keys).toContain('p:1381234567?');
    expect(keys).toContain('t:138123[45]678');
  });

  it('is shared by every generated positive whose records are linked by a phone typo or an email variant', () => {
    const pairs = generateDuplicateTestSet({ seed: 2, pairs: 1500 }).filter((p) => p.duplicate);
    const linked = pairs.filter((p) =>
      p.variations.some((v) => v === 'phone_one_digit' || v === 'phone_transposed' || (v.startsWith('email_') && v !== 'email_missing')),
    );
    expect(linked.length).toBeGreaterThan(300);
    for (const p of linked) expect(shareBlockingKey(p.a, p.b), JSON.stringify(p)).toBe(true);
  });
});

describe('generateDuplicateTestSet', () => {
  it('is deterministic for a seed, about one third positives, with hard negatives', () => {
    const one = generateDuplicateTestSet({ seed: 5, pairs: 3000 });
    expect(generateDuplicateTestSet({ seed: 5, pairs: 3000 })).toEqual(one);
    const positives = one.filter((p) => p.duplicate).length / one.length;
    expect(positives).toBeGreaterThan(0.3);
    expect(positives).toBeLessThan(0.37);
    const kinds = new Set(one.map((p) => p.kind));
    for (const kind of ['same_name_same_city', 'family', 'same_name_close_phone', 'homophone_name', 'phone_neighbour'])
      expect(kinds).toContain(kind);
  });

  it('never gives the two records of a positive the same phone or email (those are merged, not reviewed)', () => {
    for (const p of generateDuplicateTestSet({ seed: 6, pairs: 3000 }).filter((x) => x.duplicate)) {
      expect(p.a.phones.filter((x) => p.b.phones.includes(x))).toEqual([]);
      expect(p.a.emails.filter((x) => p.b.emails.includes(x))).toEqual([]);
    }
  });
});

describe('evaluation on a held-out generated set', () => {
  it('finds probable duplicates with precision ≥ 0.95 and recall ≥ 0.90', () => {
    // Weights and threshold were tuned on seed 1 only; this seed was fixed before its result was first seen, and
    // nothing was tuned after. Recall here is 0.9001 (1803 of 2003): one more miss would fail. About 5.5 % of the
    // generated positives share no near phone and no related mailbox, and no finder can see them (bench/duplicates.ts).
    const result = evaluate(generateDuplicateTestSet({ seed: 20261203, pairs: 6000 }));
    const { breakdown: _, ...figures } = result;
    console.log('probable duplicates, held-out seed 20261203, 6000 pairs:', JSON.stringify(figures));
    expect(result.pairs).toBe(6000);
    expect(result.precision).toBeGreaterThanOrEqual(0.95);
    expect(result.recall).toBeGreaterThanOrEqual(0.9);
  });
});
