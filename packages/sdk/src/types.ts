export type Properties = Record<string, unknown>;

export type MessageType = 'page' | 'track' | 'identify' | 'alias' | 'group';

export interface PageFields {
  path: string;
  referrer: string;
  search: string;
  title: string;
  url: string;
}

export interface Context {
  page: PageFields;
  userAgent: string;
  locale: string;
  screen: { width: number; height: number; density: number };
  library: { name: string; version: string };
}

/** One event as the tracking API takes it (Segment spec). */
export interface Message {
  type: MessageType;
  messageId: string;
  anonymousId: string;
  userId?: string;
  previousId?: string;
  groupId?: string;
  event?: string;
  name?: string;
  properties?: Properties;
  traits?: Properties;
  /** ISO 8601, the client's clock when the call was made; the server corrects skew with `sentAt`. */
  timestamp: string;
  context: Context;
}

export interface LoadOptions {
  /** Origin of the Forecourt server, e.g. `https://forecourt.example.com`. Default: this page's origin. */
  host?: string;
  /** Send as soon as this many events are queued. */
  flushAt?: number;
  /** Send at most this long after the first event was queued. */
  flushIntervalMs?: number;
  /** Attempts after the first one before an event is dropped. */
  maxRetries?: number;
  /** Domain for the `fc_anon` cookie, e.g. `.example.com` to share the visitor across subdomains. */
  cookieDomain?: string;
}

export interface User {
  anonymousId: string;
  userId: string | null;
}

/** `window.forecourt` once the script has loaded. */
export interface Forecourt {
  readonly initialized: true;
  readonly version: string;
  /** Starts the SDK; calls made before it are held and sent afterwards. */
  load(writeKey: string, options?: LoadOptions): void;
  /** Records a page view; page path, referrer, search, title and url are added to the properties. */
  page(name?: string | Properties, properties?: Properties): void;
  /** Records an action the visitor took. */
  track(event: string, properties?: Properties): void;
  /** Ties the visitor to a known customer and/or records traits about them. */
  identify(userId?: string | Properties, traits?: Properties): void;
  /** Links the current identity (userId, else anonymousId) to a new user id. */
  alias(newUserId: string): void;
  /** Associates the visitor with a group, e.g. a dealer store. */
  group(groupId: string, traits?: Properties): void;
  /** Forgets the user id and starts a new anonymous id (call on logout). */
  reset(): void;
  /** The ids the next event will carry. */
  user(): User;
  /** Sends what is queued now; resolves once the server answered or the attempt failed. */
  flush(): Promise<void>;
}
