export interface Reply {
  /** HTTP status, 0 when the request did not complete (offline, DNS, CORS, aborted). */
  status: number;
  body?: unknown;
}

// A hung connection (common on mobile networks) would otherwise hold the queue until the page closes.
const TIMEOUT_MS = 30 * 1000;

// A string body goes as text/plain;charset=UTF-8, a CORS-safelisted type: no preflight request.
/** POSTs a JSON body; never rejects. */
export async function post(url: string, body: string, keepalive: boolean): Promise<Reply> {
  const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer = setTimeout(() => abort?.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, { method: 'POST', body, keepalive, credentials: 'omit', signal: abort?.signal });
    let json: unknown;
    if (res.ok) json = await res.json().catch(() => undefined);
    return { status: res.status, body: json };
  } catch {
    return { status: 0 };
  } finally {
    clearTimeout(timer);
  }
}

/** Hands a body to the browser to deliver after the page is gone; false if it refused (size quota, no support). */
export function beacon(url: string, body: string): boolean {
  try {
    return !!navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' }));
  } catch {
    return false;
  }
}

/** UTF-8 size of a string, without allocating (Chinese text is 3 bytes a character). */
export function byteLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 0x80-0x7ff: 2 bytes; a surrogate half: 2 (4 a pair); the rest of the BMP: 3.
    if (c > 0x7f) n += c > 0x7ff && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}
