import { RoutingConditions } from '@forecourt/contracts';

/** What routing rules look at in a lead. */
export interface LeadFacts {
  sourceId: string;
  province: string | null;
  city: string | null;
  brand: string | null;
  series: string | null;
  condition: 'new' | 'used';
  /** When the lead arrived. */
  at: Date;
}

export interface RuleLike {
  active: boolean;
  conditions: unknown;
}

/**
 * Place names compare without their administrative suffix and case: "上海" matches "上海市",
 * "广东" matches "广东省", "Shanghai" matches "shanghai".
 */
export function placeKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|省|市|地区|盟|县|区)$/u, '');
}

const textKey = (v: string) => v.trim().toLowerCase();

/** Minutes after local midnight of `at` in `timeZone`. */
export function minuteOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function anyOf(list: string[] | undefined, value: string | null, key: (v: string) => string): boolean {
  if (!list || list.length === 0) return true;
  if (value === null) return false;
  const k = key(value);
  return list.some((v) => key(v) === k);
}

/** Does a rule's conditions take this lead? Conditions that do not parse match nothing (a broken rule never routes). */
export function matchesConditions(conditions: unknown, lead: LeadFacts, timeZone: string): boolean {
  const parsed = RoutingConditions.safeParse(conditions ?? {});
  if (!parsed.success) return false;
  const c = parsed.data;
  if (c.sourceIds && c.sourceIds.length > 0 && !c.sourceIds.includes(lead.sourceId)) return false;
  if (!anyOf(c.provinces, lead.province, placeKey)) return false;
  if (!anyOf(c.cities, lead.city, placeKey)) return false;
  if (!anyOf(c.brands, lead.brand, textKey)) return false;
  if (!anyOf(c.series, lead.series, textKey)) return false;
  if (c.condition && c.condition !== lead.condition) return false;
  if (c.hours) {
    const from = toMinutes(c.hours.from);
    const to = toMinutes(c.hours.to);
    const now = minuteOfDay(lead.at, timeZone);
    // from == to: the whole day; to < from: spans midnight (18:00–09:00).
    const inside = from === to ? true : from < to ? now >= from && now < to : now >= from || now < to;
    if (!inside) return false;
  }
  return true;
}

/** The first active rule (in the given order) whose conditions take the lead, or null. */
export function firstMatchingRule<R extends RuleLike>(rules: readonly R[], lead: LeadFacts, timeZone: string): R | null {
  for (const rule of rules) if (rule.active && matchesConditions(rule.conditions, lead, timeZone)) return rule;
  return null;
}
