import { uuid } from './ids.js';
import { localGet, localKeys, localRemove, localSet } from './storage.js';
import { beacon, byteLength, post } from './transport.js';
import type { Message } from './types.js';
import { warn } from './warn.js';

export interface QueueOptions {
  url: string;
  writeKey: string;
  flushAt: number;
  flushIntervalMs: number;
  maxRetries: number;
}

export interface Queue {
  push(message: Message): void;
  flush(): Promise<void>;
}

interface Item {
  msg: Message;
  /** Failed attempts so far. */
  tries: number;
  /** UTF-8 bytes of the message's JSON. */
  size: number;
}

/** What one page keeps in localStorage under `fc_q.<page id>`. */
interface Saved {
  w: string;
  /** Last write, epoch ms: a page that stops writing for STALE_MS is taken for dead. */
  t: number;
  /** 1 once the page was hidden for good (pagehide): the next page may take the events at once. */
  d?: number;
  m: Item[];
}

const KEY_PREFIX = 'fc_q.';
const MAX_QUEUED = 1000;
const MAX_MESSAGE_BYTES = 32 * 1024;
const MAX_BATCH_BYTES = 450 * 1024;
const MAX_BATCH_EVENTS = 2000;
// Browsers refuse beacons and keepalive requests past 64 KB in flight per page.
const MAX_BEACON_BYTES = 60 * 1024;
// {"batch":[],"sentAt":"…","writeKey":""} around the messages.
const ENVELOPE_BYTES = 64;
const STALE_MS = 5 * 60 * 1000;
const FORGET_MS = 30 * 24 * 3600 * 1000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60 * 1000;

function isItem(x: unknown): x is Item {
  const item = x as Partial<Item> | null;
  return !!item && typeof item.tries === 'number' && typeof item.size === 'number' && !!item.msg && typeof item.msg.messageId === 'string';
}

function parseSaved(raw: string | null): Saved | null {
  try {
    const v = JSON.parse(raw || 'null') as Partial<Saved> | null;
    if (v && typeof v.w === 'string' && typeof v.t === 'number' && Array.isArray(v.m))
      return { w: v.w, t: v.t, d: v.d, m: v.m.filter(isItem) };
  } catch {
    // corrupt: dropped below
  }
  return null;
}

/**
 * Events left by pages of this site that are gone: closed or reloaded (released), or silent for
 * STALE_MS (crashed, killed). Each page keeps its own key so that two open tabs never send the same events.
 */
function findLeftovers(writeKey: string): { items: Item[]; keys: string[] } {
  const now = Date.now();
  const items: Item[] = [];
  const keys: string[] = [];
  const seen: Record<string, boolean> = {};
  for (const key of localKeys(KEY_PREFIX)) {
    const saved = parseSaved(localGet(key));
    if (!saved || now - saved.t > FORGET_MS) {
      localRemove(key);
      continue;
    }
    if (saved.w !== writeKey || (!saved.d && now - saved.t < STALE_MS)) continue;
    keys.push(key);
    for (const item of saved.m) {
      if (seen[item.msg.messageId]) continue;
      seen[item.msg.messageId] = true;
      items.push(item);
    }
  }
  return { items: items.slice(-MAX_QUEUED), keys };
}

/** The page's outbox: batches, persists, retries, and empties itself with beacons when the page is hidden. */
export function createQueue(o: QueueOptions): Queue {
  const key = KEY_PREFIX + uuid();
  const inFlight = new Set<Item>();
  const leftovers = findLeftovers(o.writeKey);
  let items = leftovers.items;
  let saved = false;
  // From pagehide until the page is shown again (back-forward cache): the next page may take our events.
  let released = false;
  let timer: number | undefined;
  let retryTimer: number | undefined;
  let backoffUntil = 0;
  let failures = 0;
  let running: Promise<void> | null = null;
  let rerun: Promise<void> | null = null;

  function save(): void {
    const s: Saved = { w: o.writeKey, t: Date.now(), d: released ? 1 : 0, m: items };
    saved = items.length > 0 && localSet(key, JSON.stringify(s));
    if (!saved) localRemove(key);
  }

  // Another page took our events while this one looked dead (frozen, long in the background): they are theirs now.
  function claim(): void {
    if (saved && localGet(key) === null) {
      items = [];
      saved = false;
    }
  }

  function remove(batch: Item[]): void {
    const done = new Set(batch);
    items = items.filter((item) => !done.has(item));
  }

  function take(maxBytes: number): Item[] {
    const batch: Item[] = [];
    let bytes = ENVELOPE_BYTES + byteLength(o.writeKey);
    for (const item of items) {
      if (inFlight.has(item)) continue;
      if (batch.length >= MAX_BATCH_EVENTS || bytes + item.size + 1 > maxBytes) break;
      batch.push(item);
      bytes += item.size + 1;
    }
    return batch;
  }

  function encode(batch: Item[]): string {
    return JSON.stringify({ batch: batch.map((item) => item.msg), sentAt: new Date().toISOString(), writeKey: o.writeKey });
  }

  function backOff(): void {
    const delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
    backoffUntil = Date.now() + delay;
    clearTimeout(retryTimer);
    retryTimer = window.setTimeout(() => {
      retryTimer = undefined;
      backoffUntil = 0;
      void flush();
    }, delay);
  }

  /** One request; false when it should be retried later. */
  async function send(batch: Item[], keepalive: boolean): Promise<boolean> {
    batch.forEach((item) => inFlight.add(item));
    const reply = await post(o.url, encode(batch), keepalive);
    batch.forEach((item) => inFlight.delete(item));
    claim();
    const status = reply.status;
    let retry = false;
    if (status >= 200 && status < 300) {
      failures = 0;
      remove(batch);
      // Rejected events (an invalid phone trait, say) are not retried; the server says why.
      const rejected = (reply.body as { rejected?: { reason?: unknown; message?: unknown }[] } | undefined)?.rejected;
      const first = Array.isArray(rejected) ? rejected[0] : undefined;
      if (rejected && first)
        warn('the server rejected ' + rejected.length + ' event(s): ' + String(first.message || first.reason), 'rejected');
    } else if (status === 0 || status === 429 || status >= 500) {
      retry = true;
      failures++;
      batch.forEach((item) => item.tries++);
      const expired = batch.filter((item) => item.tries > o.maxRetries);
      remove(expired);
      if (expired.length) warn('events dropped after ' + o.maxRetries + ' retries', 'retries');
      backOff();
    } else {
      // 400, 401, 413…: sending the same batch again cannot succeed.
      remove(batch);
      warn('the server answered HTTP ' + status + '; ' + batch.length + ' event(s) dropped', 'status' + status);
    }
    save();
    return !retry;
  }

  async function sendAll(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    claim();
    while (Date.now() >= backoffUntil && navigator.onLine !== false) {
      const batch = take(MAX_BATCH_BYTES);
      if (!batch.length || !(await send(batch, false))) break;
    }
    schedule();
  }

  function flush(): Promise<void> {
    if (!running) {
      running = sendAll().finally(() => {
        running = null;
      });
      return running;
    }
    // A flush during a send starts right after it, and several such calls share it.
    if (!rerun) {
      rerun = running.then(() => {
        rerun = null;
        return flush();
      });
    }
    return rerun;
  }

  function schedule(): void {
    if (timer || retryTimer || navigator.onLine === false) return;
    let waiting = 0;
    for (const item of items) if (!inFlight.has(item)) waiting++;
    if (waiting >= o.flushAt) void flush();
    else if (waiting) timer = window.setTimeout(() => void flush(), o.flushIntervalMs);
  }

  function hide(): void {
    claim();
    // After a failed attempt the server is probably still unwell: keep the events for the next page.
    if (Date.now() >= backoffUntil) {
      for (let batch = take(MAX_BEACON_BYTES); batch.length; batch = take(MAX_BEACON_BYTES)) {
        // A beacon gives no answer: once the browser accepted it, delivery is its job.
        if (beacon(o.url, encode(batch))) remove(batch);
        else {
          // fetch() starts synchronously, before the page goes; the events stay saved until a 2xx.
          void send(batch, true);
          break;
        }
      }
    }
    save();
  }

  // Chrome fires visibilitychange after pagehide when a page unloads: the order varies.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') hide();
  });
  window.addEventListener('pagehide', () => {
    released = true;
    hide();
  });
  // Back from the back-forward cache: hold our events again (unless another page took them).
  window.addEventListener('pageshow', (e) => {
    if (!e.persisted) return;
    released = false;
    claim();
    save();
    schedule();
  });
  window.addEventListener('online', () => void flush());

  // Ours saved before theirs are removed: a crash in between duplicates events rather than losing them.
  save();
  leftovers.keys.forEach(localRemove);
  schedule();

  return {
    push(message) {
      let json: string;
      try {
        json = JSON.stringify(message);
      } catch {
        warn('an event that is not JSON (circular properties?) was dropped');
        return;
      }
      const size = byteLength(json);
      if (size > MAX_MESSAGE_BYTES) {
        warn('an event over 32 KB was dropped');
        return;
      }
      claim();
      // A copy: properties the caller changes later must not change the queued event.
      items.push({ msg: JSON.parse(json) as Message, tries: 0, size });
      if (items.length > MAX_QUEUED) {
        items = items.slice(-MAX_QUEUED);
        warn('more than ' + MAX_QUEUED + ' events waiting; the oldest were dropped', 'full');
      }
      save();
      schedule();
    },
    flush,
  };
}
