import { describe, expect, it } from 'vitest';
import { packTraitSources, unpackTraitSources } from './traits.js';

const a = { sourceId: 'src-a', at: '2026-11-01T08:00:00.000Z' };
const b = { sourceId: 'src-b', at: '2026-11-02T08:00:00.000Z' };
const manual = { sourceId: null, at: '2026-11-03T08:00:00.000Z' };

describe('the stored form of trait origins', () => {
  it('keeps the most common origin once and gives back every trait origin exactly', () => {
    const traits = { name: '张伟', city: '杭州', budget: 25000000, gender: 'male', note: '老客户', nickname: '伟哥' };
    const sources = { name: a, city: a, budget: a, gender: b, note: manual };
    const packed = packTraitSources(traits, sources);
    expect(packed).toEqual({ '': a, gender: b, note: manual, nickname: null });
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(sources).length);
    expect(unpackTraitSources(traits, packed)).toEqual(sources);
  });

  it('leaves a profile whose traits each came from elsewhere as it was, and reads rows written before the packed form', () => {
    const traits = { name: '李娜', city: '北京' };
    const sources = { name: a, city: b };
    expect(packTraitSources(traits, sources)).toBe(sources);
    expect(unpackTraitSources(traits, sources)).toEqual(sources);
    expect(unpackTraitSources(traits, null)).toEqual({});
  });

  it('packs the same origins the same way whatever their order (a changed-row check compares stored forms)', () => {
    const traits = { x: 1, y: 2, z: 3, w: 4 };
    const one = packTraitSources(traits, { x: a, y: a, z: b, w: b });
    const other = packTraitSources(traits, { w: b, z: b, y: a, x: a });
    expect(one).toEqual(other);
  });
});
