/** A random (v4) UUID. */
export function uuid(): string {
  const c = typeof crypto === 'undefined' ? undefined : crypto;
  // randomUUID exists only in secure contexts (https, localhost) and recent browsers.
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(31);
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.random() * 256;
  let i = 0;
  // Each 0/1 becomes a random hex digit and each 8 one of 8..b (the RFC 4122 variant); the 4 is the version.
  return '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (ch) => (+ch ^ ((bytes[i++] ?? 0) & (15 >> (+ch / 4)))).toString(16));
}
