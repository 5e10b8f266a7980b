import type { ConsentChannel, ConsentPurpose, IdentityType } from '@forecourt/contracts';
import { ConsentChannel as Channel, ConsentPurpose as Purpose } from '@forecourt/contracts';
import { junkReason, normalizeIdentity } from './identity-values.js';

/** An identity found in a message, normalised, with its scope (openid: app id; userId: source). */
export interface FoundIdentity {
  type: IdentityType;
  value: string;
  scope: string | null;
}

export interface FoundConsent {
  purpose: ConsentPurpose;
  channel: ConsentChannel;
  granted: boolean;
  evidence: Record<string, unknown>;
}

export interface Extracted {
  identities: FoundIdentity[];
  /** Values that are present but must not link anyone (placeholders, repeated digits). */
  junk: Array<{ type: IdentityType; reason: string }>;
  /** Values that are present and invalid (a phone that is not a phone): the message is rejected. */
  invalid: Array<{ type: IdentityType; reason: string; message: string }>;
  traits: Record<string, unknown>;
  name: string | null;
  consents: FoundConsent[];
  vins: string[];
}

/** Trait names (lower-cased) that carry an identity, per type. */
const TRAIT_IDENTITIES: Record<string, IdentityType> = {
  phone: 'phone',
  mobile: 'phone',
  phone_number: 'phone',
  phonenumber: 'phone',
  手机: 'phone',
  email: 'email',
  wechat_unionid: 'wechat_unionid',
  unionid: 'wechat_unionid',
  wechat_openid: 'wechat_openid',
  openid: 'wechat_openid',
  wecom_external_userid: 'wecom_external_userid',
  external_userid: 'wecom_external_userid',
  externaluserid: 'wecom_external_userid',
  national_id: 'national_id',
  id_number: 'national_id',
  idcard: 'national_id',
};
const APP_ID_TRAITS = ['wechat_app_id', 'appid', 'app_id'];
const VIN_TRAITS = ['vin', 'owned_vin'];

/** Identities, traits, consents and VINs in a message (identify traits, or a track's context.traits). */
export function extractIdentities(input: {
  userId: string | null;
  anonymousId: string | null;
  previousId?: string | null;
  traits: Record<string, unknown>;
  sourceId: string;
}): Extracted {
  const out: Extracted = { identities: [], junk: [], invalid: [], traits: {}, name: null, consents: [], vins: [] };
  const add = (type: IdentityType, raw: unknown, scope: string | null) => {
    const n = normalizeIdentity(type, raw);
    if (!n.ok) {
      if (n.reason !== 'empty') out.invalid.push({ type, reason: n.reason, message: n.message });
      return;
    }
    const junk = junkReason(type, n.value);
    if (junk) out.junk.push({ type, reason: junk });
    else if (!out.identities.some((i) => i.type === type && i.value === n.value && i.scope === scope))
      out.identities.push({ type, value: n.value, scope });
  };
  if (input.userId) add('user_id', input.userId, input.sourceId);
  if (input.anonymousId) add('anonymous_id', input.anonymousId, null);
  // alias(previousId → userId): the previous id is the anonymous id the person had before.
  if (input.previousId) add('anonymous_id', input.previousId, null);

  const lower = new Map(Object.entries(input.traits).map(([k, v]) => [k.toLowerCase(), v] as const));
  const appIdKey = APP_ID_TRAITS.find((k) => lower.has(k));
  const appId = appIdKey ? String(lower.get(appIdKey) ?? '') || null : null;
  for (const [key, value] of Object.entries(input.traits)) {
    if (key === '') continue; // a trait needs a name (and "" is taken by the stored form of trait origins, traits.ts)
    const k = key.toLowerCase();
    const type = TRAIT_IDENTITIES[k];
    if (type) {
      for (const v of Array.isArray(value) ? value : [value]) add(type, v, type === 'wechat_openid' ? appId : null);
      continue;
    }
    if (APP_ID_TRAITS.includes(k)) continue;
    if (VIN_TRAITS.includes(k)) {
      const vin = String(value ?? '')
        .trim()
        .toUpperCase();
      if (/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) out.vins.push(vin);
      continue;
    }
    if (k === 'consent' || k === 'consents') {
      out.consents.push(...consentsOf(value));
      continue;
    }
    out.traits[key] = value;
  }
  const name = out.traits.name ?? joinName(out.traits.lastName ?? out.traits.last_name, out.traits.firstName ?? out.traits.first_name);
  if (typeof name === 'string' && name.trim()) out.name = name.trim().slice(0, 100);
  return out;
}

function joinName(last: unknown, first: unknown): string | null {
  const l = typeof last === 'string' ? last.trim() : '';
  const f = typeof first === 'string' ? first.trim() : '';
  if (!l && !f) return null;
  // Chinese names read family name first, with no space.
  return /[\u4e00-\u9fff]/.test(l + f) ? `${l}${f}` : [f, l].filter(Boolean).join(' ');
}

/**
 * Consent in traits: `{ "marketing.sms": true }`, `{ marketing: { sms: false } }`, or
 * `[{ purpose, channel, granted, evidence }]`. Anything else is ignored.
 */
function consentsOf(value: unknown): FoundConsent[] {
  const found: FoundConsent[] = [];
  const push = (purpose: unknown, channel: unknown, granted: unknown, evidence: unknown) => {
    const p = Purpose.safeParse(purpose);
    const c = Channel.safeParse(channel);
    if (p.success && c.success && typeof granted === 'boolean')
      found.push({
        purpose: p.data,
        channel: c.data,
        granted,
        evidence: typeof evidence === 'object' && evidence ? (evidence as Record<string, unknown>) : {},
      });
  };
  if (Array.isArray(value)) {
    for (const v of value)
      if (v && typeof v === 'object')
        push(
          (v as Record<string, unknown>).purpose,
          (v as Record<string, unknown>).channel,
          (v as Record<string, unknown>).granted,
          (v as Record<string, unknown>).evidence,
        );
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('.')) {
        const [p, c] = k.split('.');
        push(p, c, v, {});
      } else if (v && typeof v === 'object') for (const [c, g] of Object.entries(v)) push(k, c, g, {});
    }
  }
  return found;
}
