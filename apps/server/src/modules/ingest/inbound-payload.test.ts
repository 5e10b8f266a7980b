import { describe, expect, it } from 'vitest';
import { deriveKeys, encrypt } from '../../platform/crypto.js';
import { openMessages, sealMessages } from './inbound-payload.js';
import type { InboundMessage } from './segment.js';

const keys = deriveKeys('ab'.repeat(32));

function message(i: number): InboundMessage {
  return {
    type: 'identify',
    messageId: `m-${i}`,
    anonymousId: `anon-${i % 7}`,
    userId: null,
    timestamp: '2026-11-24T08:00:00.000Z',
    originalTimestamp: '2026-11-24T08:00:00.000Z',
    receivedAt: '2026-11-24T08:00:01.000Z',
    traits: { name: '王小明', phone: '13912345678', city: '上海' },
    context: { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) MicroMessenger/8.0.49', locale: 'zh-CN' },
  } as unknown as InboundMessage;
}

describe('inbound payload', () => {
  const messages = Array.from({ length: 100 }, (_, i) => message(i));

  it('opens what it sealed, message for message', () => {
    expect(openMessages(keys, sealMessages(keys, messages))).toEqual(messages);
  });

  it('is compressed before it is encrypted: a request of alike messages seals to a fraction of its JSON', () => {
    const sealed = sealMessages(keys, messages);
    expect(sealed.startsWith('z:')).toBe(true);
    expect(sealed.length).toBeLessThan(JSON.stringify(messages).length / 5);
  });

  it('holds no personal data in the clear', () => {
    const raw = Buffer.from(sealMessages(keys, messages).slice(2), 'base64').toString('latin1');
    expect(raw).not.toContain('13912345678');
    expect(raw).not.toContain('anon-1');
  });

  it('still opens rows written before compression: an array of messages, and the oldest single message', () => {
    expect(openMessages(keys, encrypt(keys, JSON.stringify(messages.slice(0, 3))))).toEqual(messages.slice(0, 3));
    expect(openMessages(keys, encrypt(keys, JSON.stringify(messages[0])))).toEqual([messages[0]]);
  });

  it('refuses a payload sealed with another key or altered', () => {
    const sealed = sealMessages(keys, messages);
    expect(() => openMessages(deriveKeys('cd'.repeat(32)), sealed)).toThrow();
    const raw = Buffer.from(sealed.slice(2), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => openMessages(keys, `z:${raw.toString('base64')}`)).toThrow();
  });
});
