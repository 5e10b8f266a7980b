/** Chinese mobile rules of DOMAIN.md: returns +86 and 11 digits, or null when it isn't a personal mobile. */
export function normalizeChinaMobile(input: string): string | null {
  let digits = input.replace(/\D/g, '');
  if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  if (!/^1[3-9]\d{9}$/.test(digits)) return null;
  return `+86${digits}`;
}

/** 138****8000 — what every screen shows unless the viewer may reveal. */
export function maskPhone(e164: string): string {
  const local = e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
  if (local.length < 7) return '*'.repeat(local.length);
  return `${local.slice(0, 3)}****${local.slice(-4)}`;
}
