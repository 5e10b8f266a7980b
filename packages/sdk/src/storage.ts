// Every access is guarded: cookies and localStorage throw in sandboxed frames, with some privacy
// settings, and when the quota is full.

export function localGet(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function localSet(key: string, value: string): boolean {
  try {
    window.localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

export function localRemove(key: string): void {
  try {
    window.localStorage.removeItem(key);
  } catch {
    // nothing stored then
  }
}

export function localKeys(prefix: string): string[] {
  const keys: string[] = [];
  try {
    const ls = window.localStorage;
    for (let i = 0; i < ls.length; i++) {
      const key = ls.key(i);
      if (key && key.indexOf(prefix) === 0) keys.push(key);
    }
  } catch {
    // no storage, no keys
  }
  return keys;
}

export function readCookie(name: string): string | null {
  try {
    const match = document.cookie.match(new RegExp('(?:^|;\\s*)' + name + '=([^;]*)'));
    return match?.[1] || null;
  } catch {
    return null;
  }
}

/** Writes a first-party cookie and reads it back: false when the browser blocks it. */
export function writeCookie(name: string, value: string, maxAgeSeconds: number, domain?: string): boolean {
  try {
    document.cookie =
      name +
      '=' +
      value +
      '; max-age=' +
      maxAgeSeconds +
      '; path=/; samesite=lax' +
      (domain ? '; domain=' + domain : '') +
      (window.location.protocol === 'https:' ? '; secure' : '');
  } catch {
    return false;
  }
  return maxAgeSeconds <= 0 || readCookie(name) === value;
}
