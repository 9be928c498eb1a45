/**
 * Vietnamese phone numbers arrive as 0912345678, +84 912 345 678, 84912345678, (091) 234-5678.
 * Matching needs one canonical form: national significant number without trunk prefix ("912345678").
 * Mobile numbers have 9 significant digits; fixed lines (2xx area codes since 2017) have 10.
 */
export interface NormalisedPhone {
  /** National significant number, no leading 0 or country code. */
  readonly national: string;
  /** E.164, e.g. +84912345678. */
  readonly e164: string;
  readonly kind: 'mobile' | 'fixed';
}

const MOBILE_PREFIXES = new Set(['3', '5', '7', '8', '9']);

export function normalisePhone(input: string): NormalisedPhone | undefined {
  let digits = input.replace(/[\s().\-/]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  if (!/^[0-9]+$/.test(digits)) return undefined;
  let national: string;
  if (digits.startsWith('84') && (digits.length === 11 || digits.length === 12)) {
    national = digits.slice(2);
  } else if (digits.startsWith('0')) {
    national = digits.slice(1);
  } else {
    national = digits;
  }
  // "+84 0912…" is a frequent typing mistake: the trunk 0 after the country code.
  if (national.startsWith('0')) national = national.slice(1);
  const first = national[0] ?? '';
  if (national.length === 9 && MOBILE_PREFIXES.has(first)) {
    return { national, e164: `+84${national}`, kind: 'mobile' };
  }
  if (national.length === 10 && first === '2') {
    return { national, e164: `+84${national}`, kind: 'fixed' };
  }
  return undefined;
}

/** Canonical matching key, or undefined when the value is not a plausible Vietnamese number. */
export function phoneMatchKey(input: string | undefined): string | undefined {
  return input === undefined ? undefined : normalisePhone(input)?.national;
}

/**
 * The one form a phone number is shown in, REST and FHIR alike: E.164 (`+84912345678`). Stored values
 * are the national significant number (the matching key; older rows and any E.164 row read the same),
 * so this reads either and answers undefined for a value that is no Vietnamese number at all.
 */
export function phoneE164(stored: string | undefined): string | undefined {
  return stored === undefined ? undefined : normalisePhone(stored)?.e164;
}
