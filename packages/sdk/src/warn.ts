const warned: Record<string, boolean> = {};

/** console.warn with the SDK's prefix; with a key, only the first time per page. */
export function warn(text: string, onceKey?: string): void {
  if (onceKey) {
    if (warned[onceKey]) return;
    warned[onceKey] = true;
  }
  console.warn('[forecourt] ' + text);
}
