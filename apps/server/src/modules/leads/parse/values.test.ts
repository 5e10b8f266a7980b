import { describe, expect, it } from 'vitest';
import { parseDateTime, parseYuan } from './values.js';

describe('parseDateTime', () => {
  it('when a time carries an offset or Z, then it is kept; without one, then it is Beijing time', () => {
    const cases: [string | number, string][] = [
      ['2026-11-24T10:00:00+08:00', '2026-11-24T02:00:00.000Z'],
      ['2026-11-24T10:00:00+0800', '2026-11-24T02:00:00.000Z'],
      ['2026-11-24T02:00:00Z', '2026-11-24T02:00:00.000Z'],
      ['2026-11-24 10:00:00', '2026-11-24T02:00:00.000Z'],
      ['2026-11-24T10:00', '2026-11-24T02:00:00.000Z'],
      ['2026/11/24 10:00', '2026-11-24T02:00:00.000Z'],
      ['2026年11月24日 10:00', '2026-11-24T02:00:00.000Z'],
      ['2026-11-24', '2026-11-23T16:00:00.000Z'],
      ['1795533000', '2026-11-24T15:10:00.000Z'],
      [1_795_533_000_000, '2026-11-24T15:10:00.000Z'],
    ];
    for (const [input, iso] of cases) expect(parseDateTime(input), String(input)).toEqual({ value: iso });
  });

  it('when the date does not exist or is not a date, then an error sentence', () => {
    for (const input of ['2026-02-30 10:00', '2026-11-24 25:00', 'tomorrow', '24/11/2026', '1899-01-01', 0]) {
      expect(parseDateTime(input), String(input)).toHaveProperty('error');
    }
  });
});

describe('parseYuan', () => {
  it('when an amount is written with 万, w, ¥ or thousands separators, then it is yuan', () => {
    expect(parseYuan('25.5万')).toEqual({ value: 255_000 });
    expect(parseYuan('25.5 万元')).toEqual({ value: 255_000 });
    expect(parseYuan('￥1,200.50')).toEqual({ value: 1200.5 });
    expect(parseYuan('240元')).toEqual({ value: 240 });
    expect(parseYuan('12', 'wan')).toEqual({ value: 120_000 });
    expect(parseYuan('12元', 'wan')).toEqual({ value: 12 });
    expect(parseYuan('12 USD')).toHaveProperty('error');
    expect(parseYuan(-1)).toHaveProperty('error');
  });
});
