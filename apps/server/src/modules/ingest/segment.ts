import { uuidv7 } from '../../platform/ids.js';

/** The message types of the Segment spec. */
export const MESSAGE_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** A validated message as the inbound log stores it. */
export interface InboundMessage {
  type: MessageType;
  messageId: string;
  userId: string | null;
  anonymousId: string | null;
  previousId: string | null;
  groupId: string | null;
  event: string | null;
  name: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  /** Corrected for client clock skew, as Segment does: receivedAt − (sentAt − originalTimestamp). */
  timestamp: string;
  originalTimestamp: string | null;
  sentAt: string | null;
  receivedAt: string;
}

export interface Rejection {
  index: number;
  messageId: string | null;
  reason: string;
  message: string;
}

export const LIMITS = {
  batchBytes: 500 * 1024,
  batchEvents: 2500,
  eventBytes: 32 * 1024,
  traitKeys: 200,
  /** Corrected timestamps further ahead than this are a broken clock, not an event. */
  futureMs: 24 * 3600 * 1000,
  pastMs: 10 * 365 * 24 * 3600 * 1000,
};

type Result = { ok: true; message: InboundMessage } | { ok: false; reason: string; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function idOf(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() ? v.trim().slice(0, 200) : null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function dateOf(v: unknown): Date | null | 'invalid' {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' && typeof v !== 'number') return 'invalid';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? 'invalid' : d;
}

/**
 * Validate one message of a request. `type` comes from the URL for /v1/track etc. and from the
 * message inside a batch. `batchSentAt` is the batch's sentAt, used when a message has none.
 */
export function validateMessage(raw: unknown, opts: { type?: MessageType; receivedAt: Date; batchSentAt?: unknown }): Result {
  if (!isObject(raw)) return { ok: false, reason: 'not_an_object', message: 'each message must be a JSON object' };
  const type = (opts.type ?? raw.type) as MessageType;
  if (!MESSAGE_TYPES.includes(type))
    return {
      ok: false,
      reason: 'invalid_type',
      message: `type: must be one of ${MESSAGE_TYPES.join(', ')}, got ${JSON.stringify(raw.type ?? null)}`,
    };
  const text = JSON.stringify(raw);
  // PostgreSQL's jsonb cannot hold U+0000.
  if (text.includes('\\u0000')) return { ok: false, reason: 'invalid_characters', message: 'message contains a NUL character (\\u0000)' };
  const size = Buffer.byteLength(text);
  if (size > LIMITS.eventBytes)
    return { ok: false, reason: 'event_too_large', message: `message is ${size} bytes; the limit is ${LIMITS.eventBytes}` };

  const userId = idOf(raw.userId ?? raw.user_id);
  const anonymousId = idOf(raw.anonymousId ?? raw.anonymous_id);
  const previousId = idOf(raw.previousId);
  if (!userId && !anonymousId) return { ok: false, reason: 'missing_id', message: 'userId or anonymousId: one of them is required' };
  if (type === 'alias' && !previousId) return { ok: false, reason: 'missing_previous_id', message: 'previousId: required for alias' };
  const event = typeof raw.event === 'string' ? raw.event.trim().slice(0, 200) : null;
  if (type === 'track' && !event) return { ok: false, reason: 'missing_event', message: 'event: required for track' };

  for (const field of ['properties', 'traits', 'context'] as const) {
    if (raw[field] !== undefined && raw[field] !== null && !isObject(raw[field]))
      return { ok: false, reason: `invalid_${field}`, message: `${field}: must be an object` };
  }
  const context = isObject(raw.context) ? raw.context : {};
  // Segment puts a track call's user traits in context.traits; identify sends them at the top.
  const traits = isObject(raw.traits) ? raw.traits : isObject(context.traits) ? context.traits : {};
  if (Object.keys(traits).length > LIMITS.traitKeys)
    return {
      ok: false,
      reason: 'traits_too_large',
      message: `traits: ${Object.keys(traits).length} keys; the limit is ${LIMITS.traitKeys}`,
    };

  const original = dateOf(raw.timestamp ?? raw.originalTimestamp);
  const sent = dateOf(raw.sentAt ?? opts.batchSentAt);
  if (original === 'invalid') return { ok: false, reason: 'invalid_timestamp', message: 'timestamp: not an ISO-8601 date' };
  if (sent === 'invalid') return { ok: false, reason: 'invalid_timestamp', message: 'sentAt: not an ISO-8601 date' };
  const received = opts.receivedAt.getTime();
  let at = received;
  if (original) at = sent ? received - (sent.getTime() - original.getTime()) : original.getTime();
  if (at > received + LIMITS.futureMs)
    return {
      ok: false,
      reason: 'timestamp_in_future',
      message: 'timestamp: more than 24 hours in the future (after clock-skew correction)',
    };
  if (at < received - LIMITS.pastMs)
    return { ok: false, reason: 'timestamp_too_old', message: 'timestamp: more than 10 years in the past' };

  const messageId = idOf(raw.messageId) ?? `fc-${uuidv7()}`;
  return {
    ok: true,
    message: {
      type,
      messageId,
      userId,
      anonymousId,
      previousId,
      groupId: idOf(raw.groupId),
      event,
      name: typeof raw.name === 'string' ? raw.name.slice(0, 200) : null,
      properties: isObject(raw.properties) ? raw.properties : {},
      traits,
      context,
      timestamp: new Date(at).toISOString(),
      originalTimestamp: original ? original.toISOString() : null,
      sentAt: sent ? sent.toISOString() : null,
      receivedAt: opts.receivedAt.toISOString(),
    },
  };
}
