import type { ErrorBody } from '@forecourt/contracts';
import i18n from '../i18n';

/** A non-2xx answer, with the server's code, sentence and field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** What to show a person: a translated sentence for known codes; the server's own (it names the field) otherwise. */
  get display(): string {
    const key = `errors.${this.code}`;
    return i18n.exists(key) ? i18n.t(key) : this.message;
  }

  /** Field errors of a VALIDATION_FAILED answer, keyed by the last path segment. */
  fieldErrors(): Record<string, string> {
    if (!Array.isArray(this.details)) return {};
    const out: Record<string, string> = {};
    for (const d of this.details as { path?: string; message?: string }[]) {
      if (d.path && d.message) out[d.path.split('.').pop()!] = d.message;
    }
    return out;
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => undefined;

export function setCsrfToken(token: string | null) {
  csrfToken = token;
}
export function setUnauthenticatedHandler(fn: () => void) {
  onUnauthenticated = fn;
}

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (data as ErrorBody | undefined)?.error;
    if (res.status === 401 && !url.startsWith('/api/auth/login')) onUnauthenticated();
    throw new ApiError(res.status, err?.code ?? 'INTERNAL', err?.message ?? `HTTP ${res.status}`, err?.details);
  }
  return data as T;
}

export const get = <T>(url: string) => api<T>('GET', url);
export const post = <T>(url: string, body?: unknown) => api<T>('POST', url, body ?? {});
export const patch = <T>(url: string, body: unknown) => api<T>('PATCH', url, body);
export const put = <T>(url: string, body: unknown) => api<T>('PUT', url, body);

/** POST a file as the raw request body (no multipart), e.g. a customer import. */
export async function upload<T>(url: string, file: Blob, contentType: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    body: file,
    credentials: 'same-origin',
  });
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (data as ErrorBody | undefined)?.error;
    if (res.status === 401) onUnauthenticated();
    throw new ApiError(res.status, err?.code ?? 'INTERNAL', err?.message ?? `HTTP ${res.status}`, err?.details);
  }
  return data as T;
}

/** Query string from the defined values only. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Put a VALIDATION_FAILED answer's field messages under the matching form fields. */
export function showFieldErrors(form: { setFields: (fields: { name: string; errors: string[] }[]) => void }, e: unknown) {
  if (e instanceof ApiError) form.setFields(Object.entries(e.fieldErrors()).map(([name, err]) => ({ name, errors: [err] })));
}
