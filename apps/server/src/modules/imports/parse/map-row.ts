import type { ConsentChannel, ConsentPurpose } from '@forecourt/contracts';
import { hmac, sha256 } from '../../../platform/crypto.js';
import { validateVin } from '../../../platform/vin.js';
import { isJunkIdentity, isPlaceholder } from './junk.js';
import {
  IMPORT_IDENTITY_TYPES,
  ImportMapping,
  PERSON_IDENTITY_TYPES,
  traitKey,
  type ImportIdentityType,
  type MappingColumn,
  type TraitField,
} from './mapping.js';
import {
  cleanCell,
  fold,
  parseBudgetFen,
  parseConsentAnswer,
  parseDate,
  parseEmail,
  parseGender,
  parseName,
  parseNationalId,
  parseOpaqueId,
  parsePhone,
  parseText,
  parseUserId,
  splitList,
  splitTags,
  type Parsed,
} from './values.js';

export { isJunkIdentity } from './junk.js';

export interface ImportIdentity {
  type: ImportIdentityType;
  /** Normalised: +8613800138000, lower-case email, upper-case VIN and ID number. */
  value: string;
  appId?: string;
}

export interface ImportConsent {
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  granted: boolean;
}

/** One validated row, ready to be resolved and stored. `budget` is in fen; `birthday` is YYYY-MM-DD. */
export interface ImportRecord {
  identities: ImportIdentity[];
  traits: Record<string, string | number>;
  tags: string[];
  consents: ImportConsent[];
  /** sha256 (base64url) of the normalised record: the same customer data gives the same value, whatever the line or column order. */
  fingerprint: string;
}

/** `value` is masked when it is personal (138****8000, 110***********1234); `message` names the field. */
export interface RowError {
  column: number;
  field: string;
  value: string;
  message: string;
}

export type MapRowResult = { ok: true; record: ImportRecord } | { ok: false; line: number; errors: RowError[] } | { ok: 'skip' };

export interface MapRowOptions {
  /**
   * Makes the fingerprint an HMAC. A plain hash of a row holding only a phone can be reversed by trying
   * every phone number; key it (e.g. with the tenant's blind-index key) before storing it.
   */
  fingerprintKey?: Buffer;
}

interface Plan {
  columns: MappingColumn[];
  /** The first person-identity column: where "needs at least one identity" is reported. */
  identityColumn: MappingColumn;
  personFields: string[];
}

const IDENTITY_RANK = new Map<string, number>(IMPORT_IDENTITY_TYPES.map((t, i) => [t, i]));
const PERSON = new Set<string>(PERSON_IDENTITY_TYPES);
const plans = new WeakMap<ImportMapping, Plan>();

function planFor(mapping: ImportMapping): Plan {
  let plan = plans.get(mapping);
  if (!plan) {
    // Routes validate mappings on the way in; one that fails here is a bug, so it throws.
    const columns = ImportMapping.parse(mapping)
      .columns.filter((c) => c.field !== 'ignore')
      .sort((a, b) => a.index - b.index);
    const person = columns.filter((c) => PERSON.has(c.field));
    const identityColumn = person[0];
    if (!identityColumn) throw new Error('mapping without an identity column');
    plan = { columns, identityColumn, personFields: [...new Set(person.map((c) => c.field))] };
    plans.set(mapping, plan);
  }
  return plan;
}

/** One row of cells → a validated record, the row's errors, or 'skip' when every cell is empty. */
export function mapRow(cells: readonly string[], mapping: ImportMapping, line: number, options: MapRowOptions = {}): MapRowResult {
  const plan = planFor(mapping);

  const identities: ImportIdentity[] = [];
  const traits: Record<string, string | number> = {};
  const tags: string[] = [];
  const consents: ImportConsent[] = [];
  const errors: RowError[] = [];
  let anyValue = false;

  for (const column of plan.columns) {
    const value = cleanCell(cells[column.index] ?? '');
    if (value === '') continue;
    anyValue = true;
    const { field } = column;

    if (IDENTITY_RANK.has(field)) {
      const type = field as ImportIdentityType;
      const items = (type === 'phone' || type === 'email') && !isPlaceholder(value) ? splitList(value) : [value];
      for (const item of items) {
        if (type === 'vin') {
          // Shown unmasked: the user needs all 17 characters to find the typo.
          const vin = validateVin(item);
          const junk = 'vin' in vin ? isJunkIdentity(type, vin.vin) : null;
          if ('error' in vin) errors.push({ column: column.index, field, value: item, message: `vin: ${vin.error}` });
          else if (junk) fail(errors, column, item, junk);
          else addIdentity(identities, { type, value: vin.vin });
          continue;
        }
        const parsed = isPlaceholder(item) ? { value: item } : parseIdentity(type, item);
        if ('error' in parsed) {
          fail(errors, column, item, parsed.error);
          continue;
        }
        const junk = isJunkIdentity(type, parsed.value);
        if (junk) fail(errors, column, item, junk);
        else addIdentity(identities, column.appId ? { type, value: parsed.value, appId: column.appId } : { type, value: parsed.value });
      }
      continue;
    }

    // In a trait, tag or consent column, "无" or "-" just means nothing to say.
    if (field === 'tags') {
      const parsed = splitTags(value);
      if ('error' in parsed) fail(errors, column, value, parsed.error);
      else for (const tag of parsed.value) if (!tags.includes(tag)) tags.push(tag);
      continue;
    }
    if (field.startsWith('consent:')) {
      const parsed = parseConsentAnswer(value);
      if ('error' in parsed) fail(errors, column, value, parsed.error);
      else if (parsed.value !== null) {
        const [, purpose, channel] = field.split(':') as [string, ConsentPurpose, ConsentChannel];
        consents.push({ purpose, channel, granted: parsed.value });
      }
      continue;
    }
    const key = traitKey(field);
    if (key === null || isPlaceholder(value)) continue;
    const parsed = parseTrait(field, value, column.unit);
    if ('error' in parsed) fail(errors, column, value, parsed.error);
    else if (parsed.value !== null) traits[key] = parsed.value;
  }

  // Skipped only when the unmapped cells are empty too: a row of notes alone still says "no identity".
  if (!anyValue && cells.every(isBlank)) return { ok: 'skip' };
  if (!identities.some(isPerson) && !errors.some(isIdentityError)) {
    const hasVin = identities.length > 0;
    errors.unshift({
      column: plan.identityColumn.index,
      field: plan.identityColumn.field,
      value: '',
      message: `needs at least one of ${plan.personFields.join(', ')} (all empty in this row)${hasVin ? '; a VIN links a vehicle, not a person' : ''}`,
    });
  }
  if (errors.length > 0) return { ok: false, line, errors };

  identities.sort((a, b) => (IDENTITY_RANK.get(a.type) ?? 0) - (IDENTITY_RANK.get(b.type) ?? 0));
  const record = { identities, traits, tags, consents };
  return { ok: true, record: { ...record, fingerprint: fingerprint(record, options.fingerprintKey) } };
}

const isBlank = (cell: string) => cleanCell(cell) === '';
const isPerson = (identity: ImportIdentity) => PERSON.has(identity.type);
const isIdentityError = (error: RowError) => PERSON.has(error.field);

function fail(errors: RowError[], column: MappingColumn, item: string, reason: string): void {
  const shown = isPlaceholder(item) ? item : maskValue(column.field, item);
  errors.push({ column: column.index, field: column.field, value: shown, message: `${column.field}: "${shown}" ${reason}` });
}

function addIdentity(identities: ImportIdentity[], identity: ImportIdentity): void {
  const duplicate = identities.some((i) => i.type === identity.type && i.value === identity.value && i.appId === identity.appId);
  if (!duplicate) identities.push(identity);
}

function parseIdentity(type: Exclude<ImportIdentityType, 'vin'>, value: string): Parsed<string> {
  switch (type) {
    case 'phone':
      return parsePhone(value);
    case 'email':
      return parseEmail(value);
    case 'national_id':
      return parseNationalId(value);
    case 'wechat_unionid':
      return parseOpaqueId(value, 'WeChat unionid');
    case 'wechat_openid':
      return parseOpaqueId(value, 'WeChat openid');
    case 'wecom_external_userid':
      return parseOpaqueId(value, 'WeCom external_userid');
    case 'user_id':
      return parseUserId(value);
  }
}

function parseTrait(field: string, value: string, unit: 'yuan' | 'wan' | undefined): Parsed<string | number | null> {
  switch (field as TraitField) {
    case 'name':
      return parseName(value);
    case 'gender':
      return parseGender(value);
    case 'birthday':
      return parseDate(value);
    case 'province':
    case 'city':
      return parseText(value, 50);
    case 'address':
      return parseText(value, 200);
    case 'vehicle_of_interest':
    case 'owned_vehicle':
      return parseText(value, 100);
    case 'budget':
      return parseBudgetFen(value, unit);
    default:
      return parseText(value, 1000); // trait:<key>
  }
}

function fingerprint(record: Omit<ImportRecord, 'fingerprint'>, key: Buffer | undefined): string {
  // Sorted everywhere: the mapping's column order must not change the result.
  const identities = record.identities.map(identityKey).sort();
  const traits = Object.keys(record.traits)
    .sort()
    .map((k) => [k, record.traits[k]]);
  const consents = record.consents.map(consentKey).sort();
  const canonical = JSON.stringify(['import-record/v1', identities, traits, [...record.tags].sort(), consents]);
  return key ? hmac(key, canonical) : sha256(canonical);
}

// \u0000 cannot occur in a normalised identity or a consent purpose, so these keys sort and compare safely.
const identityKey = (i: ImportIdentity) => `${i.type}\u0000${i.appId ?? ''}\u0000${i.value}`;
const consentKey = (c: ImportConsent) => `${c.purpose}\u0000${c.channel}\u0000${c.granted}`;

// ---------------------------------------------------------------------------------------------------------------------
// Masks for error reports (PIPL): enough to find the cell, not enough to read the value.

export function maskValue(field: string, value: string): string {
  switch (field) {
    case 'phone':
      return maskMiddle(phoneDigits(value), true);
    case 'national_id':
      return maskMiddle(fold(value).replace(/\s/g, ''), true);
    case 'email':
      return maskEmail(value);
    case 'wechat_unionid':
    case 'wechat_openid':
    case 'wecom_external_userid':
      return maskMiddle(value, false);
    case 'name':
      return maskName(value);
    case 'address':
      return `${Array.from(value).slice(0, 6).join('')}***`;
    default:
      return field.startsWith('trait:') ? truncate(value, 12) : truncate(value, 60);
  }
}

function phoneDigits(value: string): string {
  let digits = fold(value).replace(/\D/g, '');
  if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  return digits === '' ? value : digits;
}

/** 138****8000, 110***********1234: first 3 and last 4 kept from 11 characters on; shorter values keep only the first 3. */
function maskMiddle(value: string, keepLength: boolean): string {
  const chars = Array.from(value);
  if (chars.length >= 11) {
    const stars = keepLength ? chars.length - 7 : 4;
    return `${chars.slice(0, 3).join('')}${'*'.repeat(stars)}${chars.slice(-4).join('')}`;
  }
  const keep = Math.min(3, Math.floor(chars.length / 2));
  return `${chars.slice(0, keep).join('')}${'*'.repeat(chars.length - keep)}`;
}

function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0) return maskMiddle(value, false);
  return `${Array.from(value)[0]}***${value.slice(at)}`;
}

function maskName(value: string): string {
  const chars = Array.from(value);
  return `${chars[0] ?? ''}${'*'.repeat(Math.min(3, Math.max(1, chars.length - 1)))}`;
}

function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : value;
}
