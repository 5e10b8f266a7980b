import { describe, expect, it } from 'vitest';
import type { BusinessHoursRow } from '../org/schema.js';
import { addBusinessMinutes, businessMinutesBetween, isOpenAt } from './business-hours.js';

const SH = 'Asia/Shanghai';
const BERLIN = 'Europe/Berlin';
const day = (d: number, open: string, close: string): BusinessHoursRow => ({ day: d, open, close });
/** Monday to Saturday 09:00–18:00, closed on Sunday (day 7). */
const MON_SAT = [1, 2, 3, 4, 5, 6].map((d) => day(d, '09:00', '18:00'));
/** Every day 09:00–12:00 and 13:30–18:00 (lunch break). */
const WITH_LUNCH = [1, 2, 3, 4, 5, 6, 7].flatMap((d) => [day(d, '09:00', '12:00'), day(d, '13:30', '18:00')]);
const iso = (d: Date) => d.toISOString();

describe('addBusinessMinutes', () => {
  it('when a lead arrives at 23:10 in Shanghai, then it is due at 09:30 the next open day', () => {
    // Tuesday 2026-11-24 23:10 +08:00 → Wednesday 09:30 +08:00
    const due = addBusinessMinutes(new Date('2026-11-24T23:10:00+08:00'), 30, MON_SAT, SH);
    expect(iso(due)).toBe('2026-11-25T01:30:00.000Z');
  });

  it('when a lead arrives at 17:50 with 30 minutes, then 10 are counted today and it is due at 09:20 the next open day', () => {
    const due = addBusinessMinutes(new Date('2026-11-24T17:50:00+08:00'), 30, MON_SAT, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-25T09:20:00+08:00')));
  });

  it('when the next day has no row (Sunday), then it is skipped', () => {
    // Saturday 2026-11-28 17:50 → Monday 2026-11-30 09:20
    const due = addBusinessMinutes(new Date('2026-11-28T17:50:00+08:00'), 30, MON_SAT, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-30T09:20:00+08:00')));
  });

  it('when a lead arrives before opening, then the clock starts at opening', () => {
    const due = addBusinessMinutes(new Date('2026-11-24T06:00:00+08:00'), 30, MON_SAT, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-24T09:30:00+08:00')));
  });

  it('when the deadline falls into the lunch break, then the remaining minutes run after lunch', () => {
    const due = addBusinessMinutes(new Date('2026-11-24T11:50:00+08:00'), 30, WITH_LUNCH, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-24T13:50:00+08:00')));
  });

  it('when it is open, then the deadline is plain clock time', () => {
    const due = addBusinessMinutes(new Date('2026-11-24T10:00:00+08:00'), 30, MON_SAT, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-24T10:30:00+08:00')));
  });

  it('when the rows are empty, then the store is always open', () => {
    const due = addBusinessMinutes(new Date('2026-11-24T23:10:00+08:00'), 30, [], SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-24T23:40:00+08:00')));
  });

  it('when the minutes span several days, then only open time counts', () => {
    // 540 open minutes a day: 600 minutes from Tuesday 09:00 end Wednesday 10:00.
    const due = addBusinessMinutes(new Date('2026-11-24T09:00:00+08:00'), 600, MON_SAT, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-25T10:00:00+08:00')));
  });

  it('when day 0 is used for Sunday, then it is read as Sunday', () => {
    const sundayOnly = [day(0, '10:00', '16:00')];
    const due = addBusinessMinutes(new Date('2026-11-24T12:00:00+08:00'), 30, sundayOnly, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-29T10:30:00+08:00')));
  });

  it('when a row closes after midnight, then the evening runs into the next day', () => {
    const nightShift = [1, 2, 3, 4, 5, 6, 7].map((d) => day(d, '20:00', '02:00'));
    const due = addBusinessMinutes(new Date('2026-11-24T01:50:00+08:00'), 30, nightShift, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-24T20:20:00+08:00')));
  });

  it('when rows overlap, then their common time is counted once', () => {
    const overlapping = [day(2, '09:00', '12:00'), day(2, '11:00', '13:00')];
    // 09:00–13:00 is 240 minutes; counting 11:00–12:00 twice would end at 12:00.
    const due = addBusinessMinutes(new Date('2026-11-24T09:00:00+08:00'), 240, overlapping, SH);
    expect(iso(due)).toBe(iso(new Date('2026-11-24T13:00:00+08:00')));
  });

  it('when no row can ever match, then it throws instead of looping forever', () => {
    expect(() => addBusinessMinutes(new Date(), 30, [day(9, '09:00', '18:00')], SH)).toThrow(RangeError);
  });

  it('when the minutes are negative, then it throws', () => {
    expect(() => addBusinessMinutes(new Date(), -1, MON_SAT, SH)).toThrow(RangeError);
  });

  it('when Berlin springs forward overnight, then opening is 09:00 summer time (UTC+2)', () => {
    // Clocks go 02:00 → 03:00 on Sunday 2026-03-29; Saturday evening lead, Monday–Saturday hours.
    const due = addBusinessMinutes(new Date('2026-03-28T17:50:00+01:00'), 30, MON_SAT, BERLIN);
    expect(iso(due)).toBe('2026-03-30T07:20:00.000Z');
  });

  it('when Berlin falls back overnight, then opening is 09:00 winter time (UTC+1)', () => {
    const due = addBusinessMinutes(new Date('2026-10-24T23:00:00+02:00'), 30, MON_SAT, BERLIN);
    expect(iso(due)).toBe('2026-10-26T08:30:00.000Z');
  });

  it('when a Berlin store is open through the spring-forward hour, then the lost hour is not counted', () => {
    const allNight = [day(7, '00:00', '06:00')];
    // From 00:00 to 06:00 local on 2026-03-29 is only 5 real hours.
    const due = addBusinessMinutes(new Date('2026-03-29T00:00:00+01:00'), 300, allNight, BERLIN);
    expect(iso(due)).toBe(iso(new Date('2026-03-29T06:00:00+02:00')));
  });

  it('when the time zone is unknown, then it throws', () => {
    expect(() => addBusinessMinutes(new Date(), 30, MON_SAT, 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('isOpenAt', () => {
  it('when inside opening hours, then open; at closing time and on a closed day, then closed', () => {
    expect(isOpenAt(new Date('2026-11-24T09:00:00+08:00'), MON_SAT, SH)).toBe(true);
    expect(isOpenAt(new Date('2026-11-24T17:59:59+08:00'), MON_SAT, SH)).toBe(true);
    expect(isOpenAt(new Date('2026-11-24T18:00:00+08:00'), MON_SAT, SH)).toBe(false);
    expect(isOpenAt(new Date('2026-11-24T08:59:00+08:00'), MON_SAT, SH)).toBe(false);
    expect(isOpenAt(new Date('2026-11-29T12:00:00+08:00'), MON_SAT, SH)).toBe(false);
  });

  it('when at lunch, then closed', () => {
    expect(isOpenAt(new Date('2026-11-24T12:30:00+08:00'), WITH_LUNCH, SH)).toBe(false);
    expect(isOpenAt(new Date('2026-11-24T13:30:00+08:00'), WITH_LUNCH, SH)).toBe(true);
  });

  it('when a row runs past midnight, then the early morning of the next day is open', () => {
    const saturdayNight = [day(6, '20:00', '02:00')];
    expect(isOpenAt(new Date('2026-11-29T01:00:00+08:00'), saturdayNight, SH)).toBe(true);
    expect(isOpenAt(new Date('2026-11-29T03:00:00+08:00'), saturdayNight, SH)).toBe(false);
  });

  it('when the local day differs from the UTC day, then the local weekday decides', () => {
    // 2026-11-24 00:30 in Shanghai is Monday 16:30 UTC, but the store is open on Tuesday only.
    const tuesday = [day(2, '00:00', '01:00')];
    expect(isOpenAt(new Date('2026-11-24T00:30:00+08:00'), tuesday, SH)).toBe(true);
  });

  it('when in Berlin summer time, then 09:00 local is 07:00 UTC', () => {
    expect(isOpenAt(new Date('2026-07-01T07:00:00Z'), MON_SAT, BERLIN)).toBe(true);
    expect(isOpenAt(new Date('2026-07-01T06:59:00Z'), MON_SAT, BERLIN)).toBe(false);
  });

  it('when the rows are empty, then always open', () => {
    expect(isOpenAt(new Date('2026-11-29T03:00:00+08:00'), [], SH)).toBe(true);
  });
});

describe('businessMinutesBetween', () => {
  it('when a lead came at night and was answered at 09:20, then the response took 20 business minutes', () => {
    const minutes = businessMinutesBetween(new Date('2026-11-24T23:10:00+08:00'), new Date('2026-11-25T09:20:00+08:00'), MON_SAT, SH);
    expect(minutes).toBe(20);
  });

  it('when the span covers a closed Sunday and a lunch break, then only open time counts', () => {
    // Saturday 17:00 → Monday 14:00: 60 (Sat) + 180 (Mon morning) + 30 (after lunch) = 270.
    const minutes = businessMinutesBetween(
      new Date('2026-11-28T17:00:00+08:00'),
      new Date('2026-11-30T14:00:00+08:00'),
      WITH_LUNCH.filter((r) => r.day !== 7),
      SH,
    );
    expect(minutes).toBe(270);
  });

  it('when the end is not after the start, then 0', () => {
    const a = new Date('2026-11-24T10:00:00+08:00');
    expect(businessMinutesBetween(a, a, MON_SAT, SH)).toBe(0);
    expect(businessMinutesBetween(a, new Date(a.getTime() - 60_000), MON_SAT, SH)).toBe(0);
  });

  it('when the rows are empty, then clock minutes, with seconds as a fraction', () => {
    const a = new Date('2026-11-24T10:00:00+08:00');
    expect(businessMinutesBetween(a, new Date(a.getTime() + 90_000), [], SH)).toBe(1.5);
  });

  it('when it is the inverse of addBusinessMinutes, then both agree across the Berlin DST change', () => {
    const start = new Date('2026-03-27T16:00:00+01:00');
    const due = addBusinessMinutes(start, 1000, MON_SAT, BERLIN);
    expect(businessMinutesBetween(start, due, MON_SAT, BERLIN)).toBe(1000);
  });

  it('when an overnight row reaches into a day that has its own rows, then overlapping time counts once', () => {
    const rows = [day(1, '20:00', '10:00'), day(2, '09:00', '11:00')];
    // Monday 20:00 → Tuesday 11:00 is one open stretch of 15 hours.
    const minutes = businessMinutesBetween(new Date('2026-11-23T19:00:00+08:00'), new Date('2026-11-24T12:00:00+08:00'), rows, SH);
    expect(minutes).toBe(15 * 60);
  });
});
