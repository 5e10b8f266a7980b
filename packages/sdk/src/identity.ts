import { uuid } from './ids.js';
import { localGet, localRemove, localSet, readCookie, writeCookie } from './storage.js';
import type { User } from './types.js';

const ANONYMOUS_ID = 'fc_anon';
const USER_ID = 'fc_user';
const YEAR_SECONDS = 365 * 24 * 3600;

export interface Identity {
  anonymousId(): string;
  userId(): string | null;
  setUserId(userId: string): void;
  user(): User;
  /** Forgets the user id and starts a new anonymous id. */
  reset(): void;
}

/** The visitor's ids: anonymous id in a first-party cookie, else localStorage, else memory; user id in localStorage. */
export function createIdentity(cookieDomain?: string): Identity {
  let memoryAnonymousId: string | null = null;
  let memoryUserId: string | null = null;

  function storeAnonymousId(id: string): void {
    memoryAnonymousId = id;
    if (!writeCookie(ANONYMOUS_ID, id, YEAR_SECONDS, cookieDomain)) localSet(ANONYMOUS_ID, id);
  }

  // Read storage on every call, so a reset or login in another tab is seen here too.
  function anonymousId(): string {
    let id = readCookie(ANONYMOUS_ID) || localGet(ANONYMOUS_ID) || memoryAnonymousId;
    if (!id) storeAnonymousId((id = uuid()));
    return id;
  }

  function userId(): string | null {
    return localGet(USER_ID) || memoryUserId;
  }

  // A host-only cookie written before load() set the domain would shadow the shared one.
  function clearCookies(): void {
    writeCookie(ANONYMOUS_ID, '', 0);
    if (cookieDomain) writeCookie(ANONYMOUS_ID, '', 0, cookieDomain);
  }

  // Rewriting the cookie at start keeps it a rolling year from the last visit.
  const current = anonymousId();
  if (cookieDomain) clearCookies();
  storeAnonymousId(current);

  return {
    anonymousId,
    userId,
    setUserId(id) {
      memoryUserId = id;
      localSet(USER_ID, id);
    },
    user: () => ({ anonymousId: anonymousId(), userId: userId() }),
    reset() {
      clearCookies();
      localRemove(ANONYMOUS_ID);
      localRemove(USER_ID);
      memoryUserId = null;
      storeAnonymousId(uuid());
    },
  };
}
