// VIN rules of DOMAIN.md: 17 characters without I, O, Q; position 9 is a check digit that North American
// and Chinese makers must fill in, while European makers often don't.

// prettier-ignore
const TRANSLITERATION: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** Upper-cased, without spaces or dashes, 17 characters and no I/O/Q; null otherwise. Does not check the check digit. */
export function normalizeVin(input: string): string | null {
  // NFKC turns full-width letters and digits typed with a Chinese IME into ASCII.
  const vin = input.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
  return VIN_PATTERN.test(vin) ? vin : null;
}

/** The check digit position 9 should hold: '0'–'9' or 'X'. Expects a normalised VIN. */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const ch = vin.charAt(i);
    const value = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : (TRANSLITERATION[ch] ?? 0);
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const rest = sum % 11;
  return rest === 10 ? 'X' : String(rest);
}

export function vinCheckDigitValid(vin: string): boolean {
  const normalised = normalizeVin(vin);
  return normalised !== null && normalised.charAt(8) === vinCheckDigit(normalised);
}

/** North American (1–5) and Chinese (L) makers must fill in the check digit. */
function checkDigitMandatory(vin: string): boolean {
  return /^[1-5L]/.test(vin);
}

/** A normalised VIN, or an error sentence that starts with the input in quotes. */
export function validateVin(input: string): { vin: string } | { error: string } {
  const vin = normalizeVin(input);
  const shown = JSON.stringify(input.trim());
  if (vin === null) {
    const compact = input.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
    if (compact.length === 17 && /[IOQ]/.test(compact)) {
      return { error: `${shown} is not a VIN: VINs never contain the letters I, O or Q` };
    }
    return { error: `${shown} is not a VIN (17 letters and digits, no I, O or Q)` };
  }
  if (checkDigitMandatory(vin)) {
    const expected = vinCheckDigit(vin);
    if (vin.charAt(8) !== expected) {
      return { error: `${shown} is not a valid VIN: its check digit (9th character) is ${vin.charAt(8)} but should be ${expected}` };
    }
  }
  return { vin };
}
