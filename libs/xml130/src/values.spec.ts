import { parseDecimal, parseInteger, parseResultValue, splitList } from './values';

describe('parseDecimal', () => {
  it.each([
    ['5,6', 5.6],
    ['5.6', 5.6],
    ['  78 ', 78],
    ['0,05', 0.05],
    ['-1,5', -1.5],
    ['1.234.567', 1234567],
    ['1,234,567', 1234567],
    ['1.234,5', 1234.5],
    ['1,234.5', 1234.5],
    ['45000.000', 45000],
  ])('%s → %d', (input, expected) => {
    expect(parseDecimal(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['', 'abc', '5,', ',5', '1,2,3.4.5', '12.34.5', '1.2.3,4,5', '1 234', '5,6 mmol/l', '1e3', '--1'])(
    '"%s" is not a number',
    (input) => {
      expect(parseDecimal(input)).toMatchObject({ ok: false, errors: [{ rule: 'number' }] });
    },
  );
});

describe('parseInteger', () => {
  it('whole numbers up to a digit count', () => {
    expect(parseInteger('007', 3)).toEqual({ ok: true, value: 7 });
    expect(parseInteger('1234', 3).ok).toBe(false);
    expect(parseInteger('1,5').ok).toBe(false);
    expect(parseInteger('-1').ok).toBe(false);
  });
});

describe('parseResultValue (XML4 GIA_TRI)', () => {
  it.each([
    ['5,6', { kind: 'numeric', value: 5.6 }],
    ['<0,5', { kind: 'numeric', value: 0.5, comparator: '<' }],
    ['>= 100', { kind: 'numeric', value: 100, comparator: '>=' }],
    ['≤1.0', { kind: 'numeric', value: 1, comparator: '<=' }],
    ['Âm tính', { kind: 'qualitative', interpretation: 'negative', text: 'Âm tính' }],
    ['ÂM TÍNH', { kind: 'qualitative', interpretation: 'negative', text: 'ÂM TÍNH' }],
    ['Am tinh', { kind: 'qualitative', interpretation: 'negative', text: 'Am tinh' }],
    ['Dương tính', { kind: 'qualitative', interpretation: 'positive', text: 'Dương tính' }],
    ['Duong tinh (+)', { kind: 'qualitative', interpretation: 'positive', text: 'Duong tinh (+)' }],
    ['(+)', { kind: 'qualitative', interpretation: 'positive', text: '(+)' }],
    ['(-)', { kind: 'qualitative', interpretation: 'negative', text: '(-)' }],
    ['Không phát hiện', { kind: 'qualitative', interpretation: 'negative', text: 'Không phát hiện' }],
    ['Negative', { kind: 'qualitative', interpretation: 'negative', text: 'Negative' }],
    ['Non-reactive', { kind: 'qualitative', interpretation: 'negative', text: 'Non-reactive' }],
    ['2+', { kind: 'text', text: '2+' }],
    ['Vàng nhạt', { kind: 'text', text: 'Vàng nhạt' }],
    ['1/80', { kind: 'text', text: '1/80' }],
  ])('%s', (input, expected) => {
    expect(parseResultValue(input)).toEqual(expected);
  });

  it('empty is no value', () => {
    expect(parseResultValue('  ')).toBeUndefined();
  });
});

describe('splitList', () => {
  it('splits on ;, trims, drops empty parts', () => {
    expect(splitList(' I10; E78.0;;')).toEqual(['I10', 'E78.0']);
  });
});
