import { buildContext, LIBRARY_VERSION, pageFields } from './context.js';
import { uuid } from './ids.js';
import { createIdentity, type Identity } from './identity.js';
import { createQueue, type Queue } from './queue.js';
import type { Forecourt, LoadOptions, Message, MessageType, Properties } from './types.js';
import { warn } from './warn.js';

/** [method, arguments, ISO time of the call]: what the snippet's stub records. */
type Call = [string, unknown[], string?];
type Handler = (timestamp: string, a?: unknown, b?: unknown) => void;

let identity: Identity | undefined;
let queue: Queue | undefined;
// Calls made before load(), replayed in order once it runs.
let held: Call[] = [];

const ids = (): Identity => (identity ||= createIdentity());

function isObject(v: unknown): v is Properties {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

const asProperties = (v: unknown): Properties => (isObject(v) ? v : {});

const positive = (v: unknown, fallback: number): number => (typeof v === 'number' && v > 0 ? v : fallback);

function enqueue(type: MessageType, timestamp: string, fields: Partial<Message>): void {
  const userId = ids().userId();
  queue?.push({
    type,
    messageId: uuid(),
    anonymousId: ids().anonymousId(),
    ...(userId ? { userId } : {}),
    timestamp,
    context: buildContext(),
    ...fields,
  });
}

const handlers: Record<string, Handler> = {
  page(timestamp, name, properties) {
    if (isObject(name)) {
      properties = name;
      name = undefined;
    }
    const n = name == null || name === '' ? undefined : String(name);
    enqueue('page', timestamp, { name: n, properties: { ...pageFields(), ...(n ? { name: n } : {}), ...asProperties(properties) } });
  },
  track(timestamp, event, properties) {
    if (typeof event === 'string' && event) enqueue('track', timestamp, { event, properties: asProperties(properties) });
    else warn('track() needs an event name');
  },
  identify(timestamp, userId, traits) {
    if (isObject(userId)) {
      traits = userId;
      userId = undefined;
    }
    if (userId != null && userId !== '') ids().setUserId(String(userId));
    enqueue('identify', timestamp, { traits: asProperties(traits) });
  },
  alias(timestamp, newUserId) {
    if (newUserId == null || newUserId === '') return warn('alias() needs the new user id');
    enqueue('alias', timestamp, { previousId: ids().userId() || ids().anonymousId(), userId: String(newUserId) });
  },
  group(timestamp, groupId, traits) {
    if (groupId == null || groupId === '') return warn('group() needs a group id');
    enqueue('group', timestamp, { groupId: String(groupId), traits: asProperties(traits) });
  },
  reset() {
    ids().reset();
  },
  flush() {
    void queue?.flush();
  },
};

function load(writeKey: unknown, options: unknown): void {
  if (queue) return warn('load() was called again; ignored');
  if (typeof writeKey !== 'string' || !writeKey) return warn('load() needs a write key');
  // Options come from page code or the snippet's queue: read each one defensively.
  const o = (isObject(options) ? options : {}) as LoadOptions;
  identity = createIdentity(o.cookieDomain);
  queue = createQueue({
    url: String(o.host || '').replace(/\/+$/, '') + '/v1/batch',
    writeKey,
    flushAt: positive(o.flushAt, 20),
    flushIntervalMs: positive(o.flushIntervalMs, 2000),
    maxRetries: typeof o.maxRetries === 'number' && o.maxRetries >= 0 ? o.maxRetries : 10,
  });
  const calls = held;
  held = [];
  calls.forEach((c) => call(...c));
}

function call(method: string, args: unknown[], timestamp = new Date().toISOString()): void {
  if (method === 'load') return load(args[0], args[1]);
  const handler = handlers[method];
  if (!handler) return;
  if (queue) handler(timestamp, args[0], args[1]);
  else held.push([method, args, timestamp]);
}

const method =
  (name: string) =>
  (...args: unknown[]): void =>
    call(name, args);

const api: Forecourt = {
  initialized: true,
  version: LIBRARY_VERSION,
  load: method('load'),
  page: method('page'),
  track: method('track'),
  identify: method('identify'),
  alias: method('alias'),
  group: method('group'),
  reset: method('reset'),
  user: () => ids().user(),
  flush: () => (queue ? queue.flush() : Promise.resolve()),
};

const w = window as Window & { forecourt?: unknown };
const stub = w.forecourt;
// Loaded twice: keep the first instance and its queue.
if (!(isObject(stub) && stub.initialized)) {
  w.forecourt = api;
  if (Array.isArray(stub)) {
    for (const c of stub as unknown[]) {
      if (Array.isArray(c) && typeof c[0] === 'string' && Array.isArray(c[1]))
        call(c[0], c[1], typeof c[2] === 'string' ? c[2] : undefined);
    }
  }
}
