import { sql } from 'drizzle-orm';
import { hash } from 'node:crypto';
import { decrypt, hmac, type Keys } from '../../../platform/crypto.js';
import { rowsOf, type Executor } from '../../../platform/db.js';
import { blockingKeys } from './blocking-keys.js';
import type { DuplicateCandidate } from './candidate.js';
import { FINGERPRINT_PREFIX } from './mark-stale.js';
import { anyUuid } from './sql-lists.js';

/** The trait the scorer reads as the vehicle of interest (the import mapping writes the same key). */
export const VEHICLE_TRAIT = 'vehicle_of_interest';

export interface LoadedProfile {
  /** false: merged into another profile; it has no keys and no pairs of its own. */
  live: boolean;
  candidate: DuplicateCandidate;
}

/** Profiles as the scorer reads them, phones and e-mails decrypted in memory only. */
export async function loadCandidates(tx: Executor, keys: Keys, tenantId: string, ids: string[]): Promise<Map<string, LoadedProfile>> {
  const out = new Map<string, LoadedProfile>();
  if (ids.length === 0) return out;
  // One after the other: a transaction is one connection, and pg warns about queries queued on a busy client.
  const profiles = await rowsOf<{
    id: string;
    merged_into: string | null;
    name: string | null;
    city: string | null;
    vehicle: string | null;
  }>(
    tx,
    sql`select id, merged_into, name, city, traits->>${VEHICLE_TRAIT} as vehicle from profiles
        where tenant_id = ${tenantId}::uuid and id = ${anyUuid(ids)}`,
  );
  const identities = await rowsOf<{ profile_id: string; type: string; value_enc: string }>(
    tx,
    sql`select profile_id, type, value_enc from identities
        where tenant_id = ${tenantId}::uuid and profile_id = ${anyUuid(ids)}
          and type in ('phone', 'email')`,
  );
  for (const p of profiles) {
    out.set(p.id, {
      live: p.merged_into === null,
      candidate: { id: p.id, name: p.name, phones: [], emails: [], city: p.city, vehicleOfInterest: p.vehicle },
    });
  }
  for (const i of identities) {
    const c = out.get(i.profile_id)?.candidate;
    if (!c) continue;
    (i.type === 'phone' ? c.phones : c.emails).push(decrypt(keys, i.value_enc));
  }
  for (const { candidate } of out.values()) {
    candidate.phones.sort();
    candidate.emails.sort();
  }
  return out;
}

/**
 * Blocking keys hold most of a phone number ('p:1381234?678') and mailbox names, so the table stores a keyed hash
 * of each: SHA-256 over a secret derived from the blind-index key, cut to 96 bits. Only equality is ever asked of
 * them; one-shot SHA-256 is four times faster than an HMAC object per key, which matters at ~35 keys a profile.
 */
export function blockingKeyHasher(keys: Keys): (key: string) => string {
  const secret = hmac(keys.blindIndex, 'forecourt/duplicate-blocking/v1');
  return (key) => hash('sha256', `${secret}\u0000${key}`, 'base64url').slice(0, 16);
}

/** What the table holds for a profile: its hashed blocking keys and a fingerprint; nothing when it has no key. */
export function storedKeysOf(candidate: DuplicateCandidate, hashKey: (key: string) => string): string[] {
  const plain = blockingKeys(candidate);
  if (plain.length === 0) return [];
  const { name, phones, emails, city, vehicleOfInterest } = candidate;
  const fingerprint = FINGERPRINT_PREFIX + hashKey(JSON.stringify([name, phones, emails, city, vehicleOfInterest]));
  return [...new Set(plain.map(hashKey)), fingerprint];
}
