// A lead platform's own JSON (汽车之家, 懂车帝, 易车 …) → LeadInput, by the source's field mapping.
//
// Every record yields a lead, so leads[i] is record i and the intake can answer per record: a value that
// cannot be coerced, or that LeadInput rejects, is left out of the lead and reported (record index and
// field); a record that is not an object yields an empty lead (the intake rejects it for having no contact).
// A body with no records at the mapped path yields no leads and one problem.
import type { IntakeProblem, LeadField, LeadFieldMapping, LeadInput } from '@forecourt/contracts';
import {
  type LeadDraft,
  type Parsed,
  cleanText,
  finishLead,
  fold,
  mobileOrNull,
  parseBool,
  parseBudget,
  parseDateTime,
  parseYuan,
} from './values.js';

export function mapJsonLeads(body: unknown, mapping: LeadFieldMapping): { leads: LeadInput[]; problems: IntakeProblem[] } {
  const problems: IntakeProblem[] = [];
  let records: unknown[];
  if (mapping.records) {
    const found = getPath(body, mapping.records);
    if (Array.isArray(found)) records = found;
    else if (isObject(found)) records = [found];
    else {
      problems.push({ index: 0, path: 'records', message: `the body holds no list of leads at "${mapping.records}"` });
      return { leads: [], problems };
    }
  } else {
    records = Array.isArray(body) ? body : [body];
  }
  const leads = records.map((record, index) => mapRecord(record, index, mapping, problems));
  return { leads, problems };
}

function mapRecord(record: unknown, index: number, mapping: LeadFieldMapping, problems: IntakeProblem[]): LeadInput {
  if (!isObject(record)) {
    problems.push({ index, path: '', message: `record ${index} is not an object` });
    return finishLead({ customer: {} }, index, (field) => field, problems);
  }
  return mapLeadFields(
    (path) => getPath(record, path),
    (path) => `at "${path}"`,
    index,
    mapping,
    problems,
  );
}

/**
 * One lead from any record shape: `read(source)` gives the raw value a mapping names (a JSON path, a CSV
 * column), `where(source)` says where it was for a problem ("at \"user.mobile\"", "in column \"手机\" …").
 */
export function mapLeadFields(
  read: (source: string, field: LeadField) => unknown,
  where: (source: string) => string,
  index: number,
  mapping: Pick<LeadFieldMapping, 'fields' | 'values' | 'budgetUnit'>,
  problems: IntakeProblem[],
): LeadInput {
  const draft: LeadDraft = { customer: {} };
  for (const [field, source] of Object.entries(mapping.fields) as [LeadField, string][]) {
    const raw = read(source, field);
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) continue;
    const result = coerce(field, raw, mapping);
    if ('error' in result) {
      problems.push({ index, path: field, message: `${quote(raw)} ${where(source)} ${result.error}` });
      continue;
    }
    assign(draft, field, result.value);
  }
  return finishLead(draft, index, (field) => field, problems);
}

type Value = string | number | boolean | { min?: number; max?: number };

function coerce(field: LeadField, raw: unknown, mapping: Pick<LeadFieldMapping, 'values' | 'budgetUnit'>): Parsed<Value> {
  const values = mapping.values ?? {};
  const unit = mapping.budgetUnit ?? 'yuan';
  switch (field) {
    case 'customer.phone': {
      const s = text(raw);
      if ('error' in s) return s;
      const phone = mobileOrNull(s.value);
      return phone ? { value: phone } : { error: 'is not a Chinese mobile number (11 digits starting 13–19)' };
    }
    case 'customer.email': {
      const s = text(raw);
      if ('error' in s) return s;
      const email = fold(s.value)
        .replace(/^mailto:/i, '')
        .toLowerCase();
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? { value: email } : { error: 'is not an email address' };
    }
    case 'customer.gender':
      return coded(raw, values.gender, GENDERS, 'is not a gender (male/female, 男/女, 1/2)');
    case 'vehicle.condition':
      return coded(raw, values.condition, CONDITIONS, 'is neither new nor used (新车/二手车)');
    case 'priority':
      return coded(raw, values.priority, PRIORITIES, 'is not a priority (normal or high)');
    case 'tradeIn':
    case 'financing': {
      const own = lookup(values[field], raw);
      return own !== undefined ? { value: own } : parseBool(raw);
    }
    case 'cost':
      return typeof raw === 'number' || typeof raw === 'string' ? parseYuan(raw) : { error: 'is not an amount of money' };
    case 'budget':
      return typeof raw === 'number' || typeof raw === 'string' ? parseBudget(raw, unit) : { error: 'is not a budget' };
    case 'budget.min':
    case 'budget.max':
      return typeof raw === 'number' || typeof raw === 'string' ? parseYuan(raw, unit) : { error: 'is not an amount of money' };
    case 'vehicle.year': {
      const y = /^(\d{4})/.exec(fold(String(raw)));
      return typeof raw !== 'object' && y ? { value: Number(y[1]) } : { error: 'is not a year' };
    }
    case 'vehicle.vin': {
      const s = text(raw);
      if ('error' in s) return s;
      const vin = fold(s.value).replace(/[\s-]/g, '').toUpperCase();
      return /^[A-HJ-NPR-Z0-9]{17}$/.test(vin) ? { value: vin } : { error: 'is not a VIN (17 letters and digits, no I, O or Q)' };
    }
    case 'requestedAt':
      return typeof raw === 'number' || typeof raw === 'string' ? parseDateTime(raw) : { error: 'is not a date and time' };
    case 'comments':
      // Some platforms send remarks as a list.
      return Array.isArray(raw) ? text(raw.filter((v) => typeof v === 'string' || typeof v === 'number').join('\n')) : text(raw);
    default:
      return text(raw);
  }
}

function text(raw: unknown): Parsed<string> {
  if (typeof raw === 'number' && Number.isFinite(raw)) return { value: String(raw) };
  if (typeof raw !== 'string') return { error: 'is not text' };
  const t = cleanText(raw);
  return t ? { value: t } : { error: 'is empty' };
}

const GENDERS: Record<string, 'male' | 'female'> = {
  male: 'male',
  m: 'male',
  男: 'male',
  先生: 'male',
  '1': 'male',
  female: 'female',
  f: 'female',
  女: 'female',
  女士: 'female',
  '2': 'female',
};
const CONDITIONS: Record<string, 'new' | 'used'> = { new: 'new', 新车: 'new', 新: 'new', used: 'used', 二手车: 'used', 二手: 'used' };
const PRIORITIES: Record<string, 'normal' | 'high'> = {
  normal: 'normal',
  普通: 'normal',
  high: 'high',
  高: 'high',
  紧急: 'high',
  urgent: 'high',
};

/** The source's own code table first, then the words everybody uses. */
function coded<T extends string>(raw: unknown, own: Record<string, T> | undefined, common: Record<string, T>, error: string): Parsed<T> {
  const value = lookup(own, raw) ?? lookup(common, raw);
  return value !== undefined ? { value } : { error };
}

function lookup<T>(table: Record<string, T> | undefined, raw: unknown): T | undefined {
  if (!table || (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')) return undefined;
  const key = fold(String(raw)).toLowerCase();
  for (const [k, v] of Object.entries(table)) if (fold(k).toLowerCase() === key) return v;
  return undefined;
}

function assign(draft: LeadDraft, field: LeadField, value: Value): void {
  if (field === 'budget') {
    draft.budget = { ...draft.budget, ...(value as { min?: number; max?: number }) };
    return;
  }
  const [head, leaf] = field.split('.') as [string, string | undefined];
  if (leaf === undefined) {
    (draft as unknown as Record<string, unknown>)[head] = value;
    return;
  }
  const target = draft as unknown as Record<string, Record<string, unknown> | undefined>;
  target[head] = { ...(target[head] ?? {}), [leaf]: value };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `data.list`, `clues[0].phone`, `[0].id` → the value there, or undefined. */
export function getPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const token of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (token.startsWith('[')) {
      if (!Array.isArray(node)) return undefined;
      node = node[Number(token.slice(1, -1))];
    } else {
      if (!isObject(node)) return undefined;
      node = node[token];
    }
  }
  return node;
}

function quote(raw: unknown): string {
  const s = typeof raw === 'string' ? `"${raw}"` : (JSON.stringify(raw) ?? String(raw));
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
