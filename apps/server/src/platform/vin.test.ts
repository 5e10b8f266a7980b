import { describe, expect, it } from 'vitest';
import { normalizeVin, validateVin, vinCheckDigit, vinCheckDigitValid } from './vin.js';

describe('VIN', () => {
  it('the worked example of DOMAIN.md sums to check digit 4', () => {
    expect(vinCheckDigit('1G4AH59H05G118341')).toBe('4');
    expect(vinCheckDigitValid('1G4AH59H45G118341')).toBe(true);
    expect(vinCheckDigitValid('1G4AH59H55G118341')).toBe(false);
  });

  it('a remainder of 10 is written X', () => {
    expect(vinCheckDigitValid('LSVAB2BJXEN123456')).toBe(true);
    expect(vinCheckDigitValid('lsvab2bjxen123456')).toBe(true);
  });

  it('normalises case, spaces, dashes and full-width characters', () => {
    expect(normalizeVin('  lfv2a21k1a3012345 ')).toBe('LFV2A21K1A3012345');
    expect(normalizeVin('LFV2A21K1-A3012345')).toBe('LFV2A21K1A3012345');
    expect(normalizeVin('ＬＦＶ２Ａ２１Ｋ１Ａ３０１２３４５')).toBe('LFV2A21K1A3012345');
  });

  it('rejects lengths other than 17 and the letters I, O and Q', () => {
    expect(normalizeVin('LFV2A21K1A301234')).toBeNull();
    expect(normalizeVin('LFV2A21K1A30123456')).toBeNull();
    expect(normalizeVin('LFV2A21K1A30I2345')).toBeNull();
    expect(normalizeVin('LFV2A21K1A30O2345')).toBeNull();
    expect(normalizeVin('LFV2A21K1A30Q2345')).toBeNull();
    expect(validateVin('LFV2A21K1A30O2345')).toEqual({ error: expect.stringMatching(/never contain the letters I, O or Q/) });
    expect(validateVin('12345')).toEqual({ error: '"12345" is not a VIN (17 letters and digits, no I, O or Q)' });
  });

  it('a Chinese VIN (L…) must carry the right check digit', () => {
    expect(validateVin('lfv2a21k1a3012345')).toEqual({ vin: 'LFV2A21K1A3012345' });
    expect(validateVin('LFV2A21K2A3012345')).toEqual({
      error: '"LFV2A21K2A3012345" is not a valid VIN: its check digit (9th character) is 2 but should be 1',
    });
  });

  it('a North American VIN (1–5) must carry the right check digit', () => {
    expect(validateVin('1G4AH59H45G118341')).toEqual({ vin: '1G4AH59H45G118341' });
    expect(validateVin('2T1BR32E04C123456')).toHaveProperty('error');
    expect(validateVin('2T1BR32E34C123456')).toEqual({ vin: '2T1BR32E34C123456' });
  });

  it('a European VIN may lack the check digit', () => {
    expect(vinCheckDigitValid('WVWZZZ1JZXW000001')).toBe(false);
    expect(validateVin('WVWZZZ1JZXW000001')).toEqual({ vin: 'WVWZZZ1JZXW000001' });
  });
});
