import {
  cccdDemographicWarnings,
  centurySexDigit,
  classifyPersonalId,
  isValidCccd,
  parseCccd,
  parseCmnd,
  parsePassportNumber,
} from './cccd';
import { BIRTH_REGISTRATION_PROVINCE_CODES } from './birth-registration-codes';

describe('parseCccd', () => {
  it('decodes a Hà Nội-registered man born 1985', () => {
    const r = parseCccd('001085012345');
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        registrationCode: '001',
        registrationProvince: 'Hà Nội',
        registeredAbroad: false,
        century: 1900,
        sex: 'male',
        birthYear: 1985,
        serial: '012345',
      }),
    });
  });

  it('decodes a Hồ Chí Minh-registered girl born 2012 (digit 4 = 3)', () => {
    const r = parseCccd('079312004567');
    expect(r.ok && r.value).toMatchObject({ registrationProvince: 'Hồ Chí Minh', sex: 'female', birthYear: 2012 });
  });

  it('decodes later centuries (2100s male = 4, 2300s female = 9)', () => {
    const a = parseCccd('001400000001');
    const b = parseCccd('001999000001');
    expect(a.ok && a.value.birthYear).toBe(2100);
    expect(b.ok && [b.value.birthYear, b.value.sex]).toEqual([2399, 'female']);
  });

  it.each(['00108501234', '0010850123456', '00108501234A', '001 085 012 345', ''])(
    'rejects %p by format',
    (input) => {
      const r = parseCccd(input);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.errors[0]?.rule).toBe('format');
    },
  );

  it('trims surrounding whitespace from XML text', () => {
    expect(isValidCccd(' 038190000123\n')).toBe(true);
  });

  it.each(['003', '005', '099', '050', '300', '999'])('rejects unknown registration code %s', (code) => {
    const r = parseCccd(`${code}085012345`);
    expect(!r.ok && r.errors.map((e) => e.rule)).toEqual(['province-code']);
  });

  it('accepts 1xx–2xx codes as registered abroad, flagged uncertain', () => {
    const r = parseCccd('124190000001');
    expect(r.ok && r.value).toMatchObject({
      registeredAbroad: true,
      registrationUncertain: true,
      registrationProvince: undefined,
    });
  });

  it('carries all 63 province codes', () => {
    expect(BIRTH_REGISTRATION_PROVINCE_CODES).toHaveLength(63);
    for (const code of BIRTH_REGISTRATION_PROVINCE_CODES) expect(isValidCccd(`${code}090000000`)).toBe(true);
  });
});

describe('centurySexDigit', () => {
  it('inverts the digit-4 rule', () => {
    expect(centurySexDigit(1945, 'male')).toBe('0');
    expect(centurySexDigit(1999, 'female')).toBe('1');
    expect(centurySexDigit(2000, 'male')).toBe('2');
    expect(centurySexDigit(2024, 'female')).toBe('3');
  });
  it('refuses years no number can encode', () => {
    expect(() => centurySexDigit(1899, 'male')).toThrow(RangeError);
  });
});

describe('cccdDemographicWarnings', () => {
  it('returns nothing when the record agrees', () => {
    expect(cccdDemographicWarnings('001185012345', { birthYear: 1985, sex: 'female' })).toEqual([]);
  });
  it('warns (never errors) on sex mismatch', () => {
    expect(cccdDemographicWarnings('001085012345', { sex: 'female' }).map((w) => w.rule)).toEqual([
      'century-sex-mismatch',
    ]);
  });
  it('warns on birth-year mismatch within the century', () => {
    expect(cccdDemographicWarnings('001085012345', { birthYear: 1958 }).map((w) => w.rule)).toEqual([
      'birth-year-mismatch',
    ]);
  });
  it('warns on century mismatch even when the last two digits agree', () => {
    expect(cccdDemographicWarnings('001085012345', { birthYear: 2085 }).map((w) => w.rule)).toEqual([
      'century-sex-mismatch',
    ]);
  });
  it('ignores missing demographics and invalid numbers', () => {
    expect(cccdDemographicWarnings('001085012345', {})).toEqual([]);
    expect(cccdDemographicWarnings('12345', { sex: 'male' })).toEqual([]);
  });
});

describe('legacy identifiers', () => {
  it('accepts 9-digit CMND numbers only', () => {
    expect(parseCmnd('012345678').ok).toBe(true);
    expect(parseCmnd('01234567').ok).toBe(false);
  });
  it('normalises passport numbers', () => {
    expect(parsePassportNumber('c 1234567')).toEqual({ ok: true, value: 'C1234567' });
    expect(parsePassportNumber('N-12345678').ok).toBe(true);
    expect(parsePassportNumber('ABCDEFG').ok).toBe(false);
    expect(parsePassportNumber('C12').ok).toBe(false);
  });
  it('classifies what SO_CCCD carries', () => {
    expect(classifyPersonalId('001085012345')).toBe('cccd');
    expect(classifyPersonalId('012345678')).toBe('cmnd');
    expect(classifyPersonalId('B7654321')).toBe('passport');
    expect(classifyPersonalId('12-34')).toBe('unknown');
  });
});
