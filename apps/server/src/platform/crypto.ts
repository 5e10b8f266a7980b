import { randomBytesPooled } from './ids.js';
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

/** Keys derived from one master key: encryption, blind index, session signing. */
export interface Keys {
  encryption: Buffer;
  blindIndex: Buffer;
  session: Buffer;
}

export function deriveKeys(masterKeyHex: string, sessionSecret?: string): Keys {
  const master = Buffer.from(masterKeyHex, 'hex');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return {
    encryption: derive('forecourt/pii-encryption/v1'),
    blindIndex: derive('forecourt/blind-index/v1'),
    session: sessionSecret ? createHash('sha256').update(sessionSecret).digest() : derive('forecourt/session/v1'),
  };
}

/** AES-256-GCM; output is base64 of version byte + iv + tag + ciphertext. */
export function encrypt(keys: Keys, plaintext: string): string {
  return encryptBytes(keys, Buffer.from(plaintext, 'utf8'));
}

export function decrypt(keys: Keys, sealed: string): string {
  return decryptBytes(keys, sealed).toString('utf8');
}

/** `encrypt` for bytes (a compressed payload, say); the same sealed format. */
export function encryptBytes(keys: Keys, plaintext: Buffer): string {
  const iv = randomBytesPooled(12);
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]).toString('base64');
}

export function decryptBytes(keys: Keys, sealed: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  if (raw[0] !== 1) throw new Error('unknown ciphertext version');
  const decipher = createDecipheriv('aes-256-gcm', keys.encryption, raw.subarray(1, 13));
  decipher.setAuthTag(raw.subarray(13, 29));
  return Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]);
}

/** Keyed hash of an already-normalised value, for exact-match lookups without storing the value. */
export function blindIndex(keys: Keys, kind: string, normalised: string): string {
  return createHmac('sha256', keys.blindIndex).update(`${kind}:${normalised}`).digest('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function hmac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * scrypt cost as log2(N), r=8, p=1. 14 (16 MiB, ~40 ms here) is the scrypt paper's interactive-login
 * setting; OWASP's current floor is 17 (~390 ms here), which a 2-core machine cannot afford at
 * dozens of logins a second. Set per deployment with FORECOURT_PASSWORD_COST; see
 * docs/decisions/005-password-hash-cost.md. Process-wide because it is a property of the deployment.
 */
let scryptLogN = 14;
export function configurePasswordHashing(logN: number) {
  scryptLogN = logN;
}
const scryptOptions = (N: number, r = 8, p = 1) => ({ N, r, p, maxmem: 256 * N * r + 16 * 1024 * 1024 });

/** True when a stored hash was made with other parameters than the configured ones. */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) !== 2 ** scryptLogN || r !== '8' || p !== '1';
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const N = 2 ** scryptLogN;
  const hash = await scryptAsync(password.normalize('NFKC'), salt, 32, scryptOptions(N));
  return `scrypt$${N}$8$1$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(
    password.normalize('NFKC'),
    Buffer.from(salt, 'base64'),
    expected.length,
    scryptOptions(Number(n), Number(r), Number(p)),
  );
  return timingSafeEqual(actual, expected);
}
