import type { IdentityType } from '@forecourt/contracts';
import { blindIndex, encrypt, sha256, type Keys } from '../../platform/crypto.js';
import { maskPhone, normalizeChinaMobile } from '../../platform/phone.js';
import { isJunkIdentity } from '../imports/parse/junk.js';

/** An identity as resolution sees it: `key` is the blind index, `value` the normalised plain value. */
export interface IdentityValue {
  type: IdentityType;
  key: string;
  value: string;
  masked: string;
  last4: string | null;
  /** The value already sealed (an import seals while the database works on the previous batch). */
  sealed?: string;
}

export type Normalised = { ok: true; value: string } | { ok: false; reason: string; message: string };

const JUNK_WORDS = new Set(['null', 'undefined', 'none', 'nil', 'n/a', 'na', '0', '-', '无', '空', 'unknown', 'test', '未知']);
const JUNK_EMAILS = new Set(['test@test.com', 'a@a.com', 'test@example.com', 'example@example.com', 'noreply@example.com', 'xxx@xxx.com']);

/** Why a normalised value must never link two people, or null when it may. */
export function junkReason(type: IdentityType, value: string): string | null {
  if (JUNK_WORDS.has(value.trim().toLowerCase())) return 'placeholder value';
  if (type === 'phone') {
    const digits = value.replace(/^\+86/, '');
    const tail = digits.slice(3);
    if (/^(\d)\1+$/.test(tail) || /^(\d)\1{6,}/.test(tail)) return 'repeated digits';
    if ('0123456789012345'.includes(digits.slice(1)) || '9876543210987654'.includes(digits.slice(1))) return 'sequential digits';
  }
  if (type === 'email') {
    if (JUNK_EMAILS.has(value)) return 'placeholder e-mail';
    if (/^(test|demo|example|noreply|no-reply)\d*@/.test(value)) return 'placeholder e-mail';
  }
  if (/^(.)\1{5,}$/.test(value)) return 'repeated characters';
  // The import's rules (the example number on forms, test mail domains, 无/未知/N/A, digit runs): one set of
  // junk for every channel, so a value an import refuses never links people through the tracking API either.
  if (type !== 'anonymous_id') {
    const imported = isJunkIdentity(type, value);
    if (imported) return imported.replace(/^is (an? |the )?/, '').replace(/;.*$/, '');
  }
  return null;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@.]{2,}$/;

export function normalizeIdentity(type: IdentityType, raw: unknown): Normalised {
  if (raw === null || raw === undefined) return { ok: false, reason: 'empty', message: `${type}: empty` };
  const text = String(raw).trim();
  if (!text) return { ok: false, reason: 'empty', message: `${type}: empty` };
  switch (type) {
    case 'phone': {
      const cn = normalizeChinaMobile(text);
      if (cn) return { ok: true, value: cn };
      // Other countries: E.164, written with its plus sign.
      const intl = text.replace(/[\s().-]/g, '');
      if (/^\+(?!86)[1-9]\d{7,14}$/.test(intl)) return { ok: true, value: intl };
      return {
        ok: false,
        reason: 'invalid_phone',
        message: `phone: "${maskRaw(text)}" is not a Chinese mobile number (11 digits starting 13–19) or an E.164 number`,
      };
    }
    case 'email': {
      const email = text.toLowerCase();
      if (!EMAIL.test(email)) return { ok: false, reason: 'invalid_email', message: `email: "${maskRaw(text)}" is not an e-mail address` };
      return { ok: true, value: email };
    }
    case 'national_id': {
      const id = text.toUpperCase();
      if (!/^\d{17}[\dX]$/.test(id) || !nationalIdChecksumValid(id))
        return {
          ok: false,
          reason: 'invalid_national_id',
          message: 'national_id: not an 18-character PRC ID number with a valid check digit',
        };
      return { ok: true, value: id };
    }
    default:
      if (text.length > 200) return { ok: false, reason: 'invalid_identity', message: `${type}: longer than 200 characters` };
      return { ok: true, value: text };
  }
}

/** ISO 7064 MOD 11-2, the check character of a PRC resident ID. */
export function nationalIdChecksumValid(id: string): boolean {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * weights[i]!;
  return '10X98765432'[sum % 11] === id[17];
}

function maskRaw(text: string): string {
  return text.length <= 4 ? '*'.repeat(text.length) : `${text.slice(0, 3)}***${text.slice(-2)}`;
}

export function maskIdentity(type: IdentityType, value: string): string {
  switch (type) {
    case 'phone':
      return maskPhone(value);
    case 'email': {
      const [local = '', domain = ''] = value.split('@');
      return `${local.slice(0, 1)}***@${domain}`;
    }
    case 'national_id':
      return `${value.slice(0, 3)}***********${value.slice(-4)}`;
    default:
      return value.length <= 8 ? `${value.slice(0, 2)}***` : `${value.slice(0, 4)}***${value.slice(-4)}`;
  }
}

/**
 * The blind-index key of an identity. Scoped types carry their scope: an openid belongs to one
 * WeChat app id, a userId to one source. National IDs are stored only as this keyed hash.
 */
export function identityKey(keys: Keys, type: IdentityType, value: string, scope?: string | null): string {
  return blindIndex(keys, type, scope ? `${scope}:${value}` : value);
}

export function toIdentityValue(keys: Keys, type: IdentityType, value: string, scope?: string | null): IdentityValue {
  return {
    type,
    key: identityKey(keys, type, value, scope),
    value: type === 'national_id' ? sha256(value) : value,
    masked: maskIdentity(type, value),
    last4: type === 'phone' ? value.slice(-4) : null,
  };
}

/** What the identities table stores: encrypted, except national IDs, which keep only a hash. */
export function sealIdentity(keys: Keys, identity: IdentityValue): string {
  if (identity.sealed) return identity.sealed;
  return encrypt(keys, identity.value);
}
