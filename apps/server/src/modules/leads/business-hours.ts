// Business-hours arithmetic for SLA deadlines and the first-response KPI. Pure: only Intl for time zones.
//
// Rows follow packages/contracts/src/org.ts `BusinessHours`: day 1 = Monday … 7 = Sunday (ISO), and 0 is
// also read as Sunday. Several rows per day make a lunch break; a day without a row is closed; no rows at
// all means always open. A row whose close is not after its open (22:00–02:00, 00:00–00:00) runs past
// midnight into the next day. Open time is counted in real elapsed minutes, so a DST change inside
// opening hours is counted as the hour it really was.
import type { BusinessHoursRow } from '../org/schema.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A week of days with no opening at all means the rows are unusable; stop instead of looping forever. */
const MAX_EMPTY_DAYS = 8;

interface Interval {
  start: number;
  end: number;
}

/** The instant `minutes` of opening time after `start`; a lead at night is due that long after opening. */
export function addBusinessMinutes(start: Date, minutes: number, hours: BusinessHoursRow[], timeZone: string): Date {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be a non-negative number, got ${minutes}`);
  const from = start.getTime();
  if (hours.length === 0) return new Date(from + minutes * MINUTE);
  let left = minutes * MINUTE;
  if (left === 0) return new Date(from);
  // Intervals come in order of start, day after day; `cursor` (the time counted up to) keeps
  // overlapping rows or an overnight row reaching into the next day from being counted twice.
  let cursor = from;
  let emptyDays = 0;
  for (let day = localDay(from, timeZone) - 1; ; day += 1) {
    const intervals = intervalsOfDay(day, hours, timeZone);
    for (const { start, end } of intervals) {
      const begin = Math.max(start, cursor);
      if (end <= begin) continue;
      if (end - begin >= left) return new Date(begin + left);
      left -= end - begin;
      cursor = end;
    }
    emptyDays = intervals.length > 0 ? 0 : emptyDays + 1;
    if (emptyDays > MAX_EMPTY_DAYS) throw new RangeError('business hours have no opening time in a whole week');
  }
}

/** Whether the store is open at `at` (open inclusive, close exclusive). */
export function isOpenAt(at: Date, hours: BusinessHoursRow[], timeZone: string): boolean {
  if (hours.length === 0) return true;
  const t = at.getTime();
  const day = localDay(t, timeZone);
  for (const d of [day - 1, day]) {
    for (const { start, end } of intervalsOfDay(d, hours, timeZone)) if (start <= t && t < end) return true;
  }
  return false;
}

/** Opening minutes between `a` and `b` (fractional; 0 when b is not after a). */
export function businessMinutesBetween(a: Date, b: Date, hours: BusinessHoursRow[], timeZone: string): number {
  const from = a.getTime();
  const to = b.getTime();
  if (!(to > from)) return 0;
  if (hours.length === 0) return (to - from) / MINUTE;
  let total = 0;
  let cursor = from; // as in addBusinessMinutes: counted up to here
  const last = localDay(to, timeZone);
  for (let day = localDay(from, timeZone) - 1; day <= last; day += 1) {
    for (const { start, end } of intervalsOfDay(day, hours, timeZone)) {
      const overlap = Math.min(end, to) - Math.max(start, cursor);
      if (overlap > 0) total += overlap;
      cursor = Math.max(cursor, Math.min(end, to));
    }
  }
  return total / MINUTE;
}

// A local calendar day is numbered as days since 1970-01-01 (of the wall calendar, not of UTC instants).

function intervalsOfDay(day: number, hours: BusinessHoursRow[], timeZone: string): Interval[] {
  const weekday = isoWeekday(day);
  const out: Interval[] = [];
  for (const row of hours) {
    if (row.day !== weekday && !(row.day === 0 && weekday === 7)) continue;
    const open = parseHhmm(row.open);
    const close = parseHhmm(row.close);
    const start = localToInstant(day, open, timeZone);
    const end = localToInstant(close > open ? day : day + 1, close, timeZone);
    if (end > start) out.push({ start, end });
  }
  return out.sort((x, y) => x.start - y.start);
}

function isoWeekday(day: number): number {
  const sundayZero = new Date(day * DAY).getUTCDay();
  return sundayZero === 0 ? 7 : sundayZero;
}

function parseHhmm(value: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(value);
  const h = Number(m?.[1]);
  const min = Number(m?.[2]);
  if (!m || h > 24 || min > 59 || (h === 24 && min > 0)) throw new RangeError(`"${value}" is not a time of day (HH:mm)`);
  return h * 60 + min;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what we want.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time at instant `t` in `timeZone`, read as if it were UTC (milliseconds). */
function wallClock(t: number, timeZone: string): number {
  return t + offsetAt(t, timeZone);
}

// formatToParts costs microseconds; offsets only change at transitions, which fall on quarter hours
// (UTC), so one lookup per time zone and quarter hour is enough. The cache is dropped when it grows large.
const QUARTER = 15 * MINUTE;
const offsets = new Map<string, Map<number, number>>();
const MAX_CACHED = 50_000;

function offsetAt(t: number, timeZone: string): number {
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const bucket = Math.floor(t / QUARTER);
  let offset = zone.get(bucket);
  if (offset === undefined) {
    const start = bucket * QUARTER;
    const parts: Record<string, number> = {};
    for (const p of formatFor(timeZone).formatToParts(new Date(start))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
    offset = Date.UTC(year, month - 1, day, hour, minute, second) - start;
    if (zone.size >= MAX_CACHED) zone.clear();
    zone.set(bucket, offset);
  }
  return offset;
}

function localDay(t: number, timeZone: string): number {
  return Math.floor(wallClock(t, timeZone) / DAY);
}

/**
 * The instant whose wall clock in `timeZone` reads `minuteOfDay` on local `day`. A time inside a
 * spring-forward gap is pushed forward by the gap (02:30 → 03:30, as Temporal's 'compatible'); a
 * repeated autumn time is its first occurrence.
 */
function localToInstant(day: number, minuteOfDay: number, timeZone: string): number {
  const wanted = day * DAY + minuteOfDay * MINUTE;
  const before = offsetAt(wanted - DAY, timeZone);
  const after = offsetAt(wanted + DAY, timeZone);
  // Earliest instant first: with the larger offset the instant is earlier.
  const candidates = [wanted - Math.max(before, after), wanted - Math.min(before, after)];
  for (const t of candidates) if (wallClock(t, timeZone) === wanted) return t;
  // In a gap neither candidate reads `wanted`: the wall clock jumped over it, so take where it landed.
  return wanted - before;
}
