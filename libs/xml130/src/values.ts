import { invalid, stripDiacritics, valid, type Validated } from '@lienthong/vn-standards';

export type NumberRule = 'number';

/**
 * A decimal as hospital systems write it: `5.6` (the XML schema's form) or `5,6` (the Vietnamese
 * one). One separator kind alone, once, is the decimal point (`1,5` and `1.5` are both 1.5); repeated,
 * it groups thousands (`1.234.567`); both kinds together read the last one as the decimal point and
 * the other as grouping (`1.234,5` = `1,234.5` = 1234.5). Grouping must be in threes. Anything else
 * (spaces inside, letters, a bare separator) is not a number.
 */
export function parseDecimal(input: string): Validated<number, NumberRule> {
  const value = input.trim();
  const fail = invalid({ rule: 'number' as const, message: `not a number: "${value}"` });
  const m = /^([+-]?)([0-9][0-9.,]*)$/.exec(value);
  if (!m || /[.,]$/.test(value)) return fail;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2] ?? '';
  const dots = body.split('.').length - 1;
  const commas = body.split(',').length - 1;
  let integer = body;
  let fraction = '';
  let group: '.' | ',' | undefined;
  if (dots > 0 && commas > 0) {
    const decimal = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
    group = decimal === '.' ? ',' : '.';
    if (body.split(decimal).length - 1 !== 1) return fail;
    [integer, fraction] = body.split(decimal) as [string, string];
  } else if (dots + commas === 1) {
    [integer, fraction] = body.split(dots === 1 ? '.' : ',') as [string, string];
  } else if (dots + commas > 1) {
    group = dots > 0 ? '.' : ',';
  }
  if (group !== undefined) {
    const groups = integer.split(group);
    if (!/^[0-9]{1,3}$/.test(groups[0] ?? '') || groups.slice(1).some((g) => !/^[0-9]{3}$/.test(g))) {
      return fail;
    }
    integer = groups.join('');
  }
  if (!/^[0-9]+$/.test(integer) || !/^[0-9]*$/.test(fraction)) return fail;
  const n = sign * Number(fraction === '' ? integer : `${integer}.${fraction}`);
  return Number.isFinite(n) ? valid(n) : fail;
}

/** A non-negative whole number of at most `maxDigits` digits (XML 130 `Number(n)` fields). */
export function parseInteger(input: string, maxDigits = 15): Validated<number, NumberRule> {
  const value = input.trim();
  if (!/^[0-9]+$/.test(value)) {
    return invalid({ rule: 'number', message: `not a whole number: "${value}"` });
  }
  if (value.replace(/^0+(?=[0-9])/, '').length > maxDigits) {
    return invalid({ rule: 'number', message: `more than ${maxDigits} digits` });
  }
  return valid(Number(value));
}

/** `;`-joined lists (MA_BENH_KT, MA_BS_DOC_KQ, NGUOI_THUC_HIEN, MA_THE_BHYT…): trimmed, empty parts dropped. */
export function splitList(input: string): string[] {
  return input
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export type Comparator = '<' | '<=' | '>' | '>=';

/**
 * An XML4 GIA_TRI read for what it is: a number (comma decimals, an optional `<`/`>` comparator as in
 * "<0,5"), a qualitative result (Âm tính / Dương tính and their spellings), or free text. The raw
 * string always stays on the row; this is an interpretation, not a replacement.
 */
export type ResultValue =
  | { readonly kind: 'numeric'; readonly value: number; readonly comparator?: Comparator }
  | { readonly kind: 'qualitative'; readonly interpretation: 'positive' | 'negative'; readonly text: string }
  | { readonly kind: 'text'; readonly text: string };

const COMPARATORS: Readonly<Record<string, Comparator>> = {
  '<': '<',
  '<=': '<=',
  '≤': '<=',
  '>': '>',
  '>=': '>=',
  '≥': '>=',
};

// Folded (no diacritics, lower case, punctuation → space) forms seen in hospital systems.
const NEGATIVE = /^(am tinh|negative|neg|khong phat hien|not detected|non reactive|khong phan ung)\b/;
const POSITIVE = /^(duong tinh|positive|pos|phat hien|detected|reactive|co phan ung)\b/;

export function parseResultValue(input: string): ResultValue | undefined {
  const text = input.trim();
  if (text === '') return undefined;
  const numeric = /^(<=|>=|<|>|≤|≥)?\s*([+-]?[0-9][0-9.,]*)$/.exec(text);
  if (numeric) {
    const parsed = parseDecimal(numeric[2] ?? '');
    if (parsed.ok) {
      const comparator = numeric[1] === undefined ? undefined : COMPARATORS[numeric[1]];
      return comparator === undefined
        ? { kind: 'numeric', value: parsed.value }
        : { kind: 'numeric', value: parsed.value, comparator };
    }
  }
  if (/^\(?\s*-\s*\)?$/.test(text)) return { kind: 'qualitative', interpretation: 'negative', text };
  if (/^\(?\s*\+\s*\)?$/.test(text)) return { kind: 'qualitative', interpretation: 'positive', text };
  const folded = stripDiacritics(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  if (NEGATIVE.test(folded)) return { kind: 'qualitative', interpretation: 'negative', text };
  if (POSITIVE.test(folded)) return { kind: 'qualitative', interpretation: 'positive', text };
  return { kind: 'text', text };
}
