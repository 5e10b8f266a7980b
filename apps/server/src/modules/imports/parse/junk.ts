// Values people type when a form insists on an answer. As identities they would merge every customer
// who shares them into one profile, so they are refused rather than stored.
import type { ImportIdentityType } from './mapping.js';

// prettier-ignore
const PLACEHOLDERS = new Set([
  'null', 'undefined', 'nil', 'none', 'nan', 'n/a', 'na', '#n/a', '#value!', '#ref!', 'unknown', 'test',
  '0', '-', '--', '---', '—', '——', '_', '/', '\\', '.', '?', '*', 'x', 'xx', 'xxx',
  '无', '暂无', '没有', '空', '未知', '不详', '不知道', '测试', '未填', '未填写', '待定', '待补充',
]);

const MAX_PLACEHOLDER_LENGTH = Math.max(...Array.from(PLACEHOLDERS, (p) => p.length));

/** 'N/A', '无', '-', '0' and their kin: a cell that says "nothing here" in words. Expects a trimmed value. */
export function isPlaceholder(value: string): boolean {
  if (value.length > MAX_PLACEHOLDER_LENGTH) return false;
  return PLACEHOLDERS.has(value) || (/[A-Z]/.test(value) && PLACEHOLDERS.has(value.toLowerCase()));
}

// China Mobile's customer-service number, printed on forms as the example mobile.
const EXAMPLE_PHONES = new Set(['13800138000']);

// prettier-ignore
const JUNK_EMAIL_DOMAINS = new Set([
  'test.com', 'test.cn', 'example.com', 'example.org', 'example.net', 'example.cn', 'localhost', 'invalid', 'test',
  'xxx.com', 'abc.com', 'aaa.com', '123.com', 'a.com', 'mailinator.com',
]);
// prettier-ignore
const JUNK_EMAIL_LOCALS = new Set([
  'test', 'testing', 'null', 'none', 'nobody', 'noreply', 'no-reply', 'na', 'nil', 'xxx', 'abc', 'asdf', 'qwe',
  'qwerty', 'unknown', 'email', 'mail', '123', '1234', '12345', '123456', '1234567', '12345678', '123456789',
]);

/** Why a normalised identity is junk (a placeholder, a test address, a run of digits), or null when it may be real. */
export function isJunkIdentity(type: ImportIdentityType, normalisedValue: string): string | null {
  const value = normalisedValue.trim();
  if (isPlaceholder(value)) return 'is a placeholder, not a real value; leave the cell empty when there is none';
  switch (type) {
    case 'phone':
      return junkPhone(value);
    case 'email':
      return junkEmail(value.toLowerCase());
    case 'national_id':
      return /^(\d)\1{16}/.test(value) ? 'is a placeholder (one digit repeated)' : null;
    case 'vin':
    case 'wechat_unionid':
    case 'wechat_openid':
    case 'wecom_external_userid':
    case 'user_id':
      return value.length > 1 && /^(.)\1+$/.test(value) ? 'is a placeholder (one character repeated)' : null;
  }
}

function junkPhone(value: string): string | null {
  const digits = value.replace(/\D/g, '').slice(-11);
  if (EXAMPLE_PHONES.has(digits)) return 'is the example number printed on forms, not a customer’s';
  // The last eight digits are the subscriber number: 138 0000 0000 or 139 1234 5678 are typed-in fillers.
  for (const part of [digits, digits.slice(3)]) {
    if (part.length >= 8 && /^(\d)\1+$/.test(part)) return 'is a placeholder (one digit repeated)';
    if (part.length >= 8 && isRun(part)) return 'is a placeholder (a run of consecutive digits)';
  }
  return null;
}

/** 12345678, 23456789…, 87654321, and wrapping runs such as 78901234. */
function isRun(digits: string): boolean {
  let up = true;
  let down = true;
  for (let i = 1; i < digits.length; i += 1) {
    const step = (digits.charCodeAt(i) - digits.charCodeAt(i - 1) + 10) % 10;
    if (step !== 1) up = false;
    if (step !== 9) down = false;
  }
  return up || down;
}

function junkEmail(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 0) return null;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const domainName = domain.split('.')[0] ?? '';
  if (JUNK_EMAIL_DOMAINS.has(domain)) return 'is a test or placeholder address';
  if (JUNK_EMAIL_LOCALS.has(local)) return 'is a test or placeholder address';
  if (/^(.)\1+$/.test(local)) return 'is a placeholder address (one character repeated)';
  if (local === domainName) return 'is a placeholder address (the same word before and after @)';
  // QQ numbers start at 10000 and have at most 11 digits.
  if (domain === 'qq.com' && /^\d+$/.test(local) && !/^[1-9]\d{4,10}$/.test(local)) return 'is not a possible QQ mailbox';
  return null;
}
