import { normalisePhone, phoneE164, phoneMatchKey } from './phone';

describe('normalisePhone', () => {
  it.each([
    '0912345678',
    '+84912345678',
    '84912345678',
    '+84 912 345 678',
    '0912.345.678',
    '(091) 234-5678',
    '0084912345678',
    '+84 0912345678',
  ])('normalises %p to the same key', (input) => {
    expect(phoneMatchKey(input)).toBe('912345678');
  });
  it('recognises fixed lines with 2xx area codes', () => {
    expect(normalisePhone('024 3825 1234')).toEqual({ national: '2438251234', e164: '+842438251234', kind: 'fixed' });
  });
  it.each(['12345', '0112345678', 'abc', '', '091234567'])('rejects %p', (input) => {
    expect(normalisePhone(input)).toBeUndefined();
  });
  it('passes undefined through', () => {
    expect(phoneMatchKey(undefined)).toBeUndefined();
  });
});

describe('phoneE164', () => {
  it.each([
    ['912345678', '+84912345678'],
    ['+84912345678', '+84912345678'],
    ['0912 345 678', '+84912345678'],
    ['2438251234', '+842438251234'],
    // A mobile whose national number starts with 84 is not mistaken for a country code.
    ['841234567', '+84841234567'],
  ])('shows the stored %p as %p', (stored, shown) => {
    expect(phoneE164(stored)).toBe(shown);
  });
  it('answers undefined for nothing, or for what is no Vietnamese number', () => {
    expect(phoneE164(undefined)).toBeUndefined();
    expect(phoneE164('12345')).toBeUndefined();
  });
});
