import {
  datePrecision,
  formatIsoPartialDate,
  formatMinistryDate,
  formatMinistryDateTime,
  parseBirthDate,
  parseIsoPartialDate,
  parseMinistryBirthDate,
  parseMinistryDate,
  parseMinistryDateTime,
} from './dates';

describe('birth dates', () => {
  it.each([
    ['19850312', { year: 1985, month: 3, day: 12 }],
    ['198503120000', { year: 1985, month: 3, day: 12 }],
    ['19450000', { year: 1945 }],
    ['194500000000', { year: 1945 }],
    ['19450700', { year: 1945, month: 7 }],
  ])('parses ministry %s', (input, expected) => {
    expect(parseMinistryBirthDate(input)).toEqual({ ok: true, value: expected });
  });

  it.each([['1945', { year: 1945 }], ['1945-07', { year: 1945, month: 7 }], ['2024-02-29', { year: 2024, month: 2, day: 29 }]])(
    'parses ISO %s',
    (input, expected) => {
      expect(parseIsoPartialDate(input)).toEqual({ ok: true, value: expected });
    },
  );

  it.each(['19850230', '20230229', '19851301', '19450012', '2023-02-29', '2023-13'])('rejects impossible %s', (input) => {
    const r = parseBirthDate(input);
    expect(!r.ok && r.errors[0]?.rule).toBe('impossible-date');
  });

  it.each(['1985-3-12', '850312', '1985/03/12', 'abcd'])('rejects malformed %s', (input) => {
    expect(parseBirthDate(input).ok).toBe(false);
  });

  it('reports precision and formats at it', () => {
    expect(datePrecision({ year: 1945 })).toBe('year');
    expect(datePrecision({ year: 1945, month: 7 })).toBe('month');
    expect(formatIsoPartialDate({ year: 1945, month: 7 })).toBe('1945-07');
    expect(formatMinistryDate({ year: 1945 })).toBe('19450000');
    expect(formatMinistryDate({ year: 2001, month: 9, day: 2 })).toBe('20010902');
  });
});

describe('ministry date-times (UTC+07:00, no DST)', () => {
  it('converts local time to UTC', () => {
    expect(parseMinistryDateTime('202601151030')).toEqual({ ok: true, value: '2026-01-15T03:30:00.000Z' });
  });
  it('crosses the date line back to the previous UTC day', () => {
    expect(parseMinistryDateTime('202601010200')).toEqual({ ok: true, value: '2025-12-31T19:00:00.000Z' });
  });
  it('reads yyyymmdd as local midnight', () => {
    expect(parseMinistryDateTime('20260115')).toEqual({ ok: true, value: '2026-01-14T17:00:00.000Z' });
  });
  it.each(['202602301030', '202601152400', '202601151060', '202600151030', '20260115103'])('rejects %s', (input) => {
    expect(parseMinistryDateTime(input).ok).toBe(false);
  });
  it('round-trips through local formatting', () => {
    expect(formatMinistryDateTime('2026-01-15T03:30:00.000Z')).toBe('202601151030');
    expect(formatMinistryDateTime(new Date('2025-12-31T19:00:00Z'))).toBe('202601010200');
    expect(() => formatMinistryDateTime('nope')).toThrow(RangeError);
  });
  it('validates plain dates (card validity)', () => {
    expect(parseMinistryDate('20261231')).toEqual({ ok: true, value: '2026-12-31' });
    expect(parseMinistryDate('20260000').ok).toBe(false);
  });
});
