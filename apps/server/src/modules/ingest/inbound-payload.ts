import { decrypt, encrypt, type Keys } from '../../platform/crypto.js';
import type { InboundMessage } from './segment.js';

/**
 * One inbound-log row holds the accepted messages of one request, sealed together: one cipher and
 * one row per request instead of per message is what lets the acknowledgement keep up (decision 007).
 * Rows written before that hold a single message object.
 */
export function sealMessages(keys: Keys, messages: InboundMessage[]): string {
  return encrypt(keys, JSON.stringify(messages));
}

export function openMessages(keys: Keys, payloadEnc: string): InboundMessage[] {
  const parsed = JSON.parse(decrypt(keys, payloadEnc)) as InboundMessage | InboundMessage[];
  return Array.isArray(parsed) ? parsed : [parsed];
}
