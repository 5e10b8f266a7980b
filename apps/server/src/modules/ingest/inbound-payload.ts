import zlib from 'node:zlib';
import { decrypt, decryptBytes, encryptBytes, type Keys } from '../../platform/crypto.js';
import type { InboundMessage } from './segment.js';

/** Marks a payload compressed before it was sealed; base64 never contains ':', so older rows cannot look like it. */
const COMPRESSED = 'z:';

/**
 * One inbound-log row holds the accepted messages of one request, sealed together: one cipher and
 * one row per request instead of per message is what lets the acknowledgement keep up (decision 007).
 * The JSON is deflated before it is encrypted (decision 009): a request's messages repeat their context,
 * so the row is about a tenth of the size, which is less to send, to write and to log.
 * Rows written before that hold the JSON sealed as it is (and the oldest a single message object).
 */
export function sealMessages(keys: Keys, messages: InboundMessage[]): string {
  return COMPRESSED + encryptBytes(keys, zlib.deflateRawSync(JSON.stringify(messages), { level: 1 }));
}

export function openMessages(keys: Keys, payloadEnc: string): InboundMessage[] {
  const json = payloadEnc.startsWith(COMPRESSED)
    ? zlib.inflateRawSync(decryptBytes(keys, payloadEnc.slice(COMPRESSED.length))).toString('utf8')
    : decrypt(keys, payloadEnc);
  const parsed = JSON.parse(json) as InboundMessage | InboundMessage[];
  return Array.isArray(parsed) ? parsed : [parsed];
}
