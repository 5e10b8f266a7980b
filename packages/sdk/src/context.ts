import { version } from '../package.json';
import type { Context, PageFields } from './types.js';

export const LIBRARY_VERSION: string = version;

/** The current page as Segment's analytics.js describes it (url without the fragment). */
export function pageFields(): PageFields {
  const l = window.location;
  return { path: l.pathname, referrer: document.referrer, search: l.search, title: document.title, url: l.href.split('#')[0] || '' };
}

export function buildContext(): Context {
  const s = window.screen;
  return {
    page: pageFields(),
    userAgent: navigator.userAgent,
    locale: navigator.language,
    screen: { width: s.width, height: s.height, density: window.devicePixelRatio },
    library: { name: 'forecourt-sdk', version: LIBRARY_VERSION },
  };
}
