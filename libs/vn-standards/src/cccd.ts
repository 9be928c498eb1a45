import {
  BIRTH_REGISTRATION_PROVINCES,
  isAbroadRegistrationCode,
} from './birth-registration-codes';
import { invalid, valid, type RuleViolation, type Validated } from './validation-result';

export type Sex = 'male' | 'female';

export type CccdRule = 'format' | 'province-code';

export interface ParsedCccd {
  readonly value: string;
  /** Digits 1–3: where the birth was registered (not where the person lives). */
  readonly registrationCode: string;
  /** Province name for domestic codes; undefined for abroad codes. */
  readonly registrationProvince: string | undefined;
  /**
   * True for codes 100–299. The "abroad" meaning is reported, not confirmed, so callers must treat
   * this as a hint (hence `registrationUncertain`).
   */
  readonly registeredAbroad: boolean;
  readonly registrationUncertain: boolean;
  /** First year of the century encoded by digit 4 (1900, 2000, …, 2300). */
  readonly century: number;
  readonly sex: Sex;
  /** Century + digits 5–6. */
  readonly birthYear: number;
  /** Digits 7–12; random, carries no information. */
  readonly serial: string;
}

const CCCD_PATTERN = /^[0-9]{12}$/;

/**
 * Parses a 12-digit personal ID number. There is no checksum (the tail is random), so the only hard
 * rules are the shape and the registration code; demographic consistency is a soft check
 * (`cccdDemographicWarnings`) because hospital demographics are often wrong.
 */
export function parseCccd(input: string): Validated<ParsedCccd, CccdRule> {
  const value = input.trim();
  if (!CCCD_PATTERN.test(value)) {
    return invalid({ rule: 'format', message: 'personal ID number must be exactly 12 digits' });
  }
  const registrationCode = value.slice(0, 3);
  const registrationProvince = BIRTH_REGISTRATION_PROVINCES[registrationCode];
  const registeredAbroad = isAbroadRegistrationCode(registrationCode);
  if (registrationProvince === undefined && !registeredAbroad) {
    return invalid({
      rule: 'province-code',
      message: `unknown birth-registration code ${registrationCode}`,
    });
  }
  const centurySexDigit = Number(value[3]);
  const century = 1900 + Math.floor(centurySexDigit / 2) * 100;
  return valid({
    value,
    registrationCode,
    registrationProvince,
    registeredAbroad,
    registrationUncertain: registeredAbroad,
    century,
    sex: centurySexDigit % 2 === 0 ? 'male' : 'female',
    birthYear: century + Number(value.slice(4, 6)),
    serial: value.slice(6),
  });
}

export function isValidCccd(input: string): boolean {
  return parseCccd(input).ok;
}

/** Inverse of the digit-4 rule; used by generators and by corrected-record checks. */
export function centurySexDigit(birthYear: number, sex: Sex): string {
  const centuryIndex = Math.floor((birthYear - 1900) / 100);
  if (centuryIndex < 0 || centuryIndex > 4) {
    throw new RangeError(`birth year ${birthYear} outside 1900–2399`);
  }
  return String(centuryIndex * 2 + (sex === 'female' ? 1 : 0));
}

export type CccdWarningRule = 'century-sex-mismatch' | 'birth-year-mismatch';

export interface CccdDemographics {
  readonly birthYear?: number | undefined;
  readonly sex?: Sex | undefined;
}

/**
 * Soft consistency check against recorded demographics. Never an error: numbers are re-issued after
 * a sex re-determination or a corrected birth year, and hospital records are often wrong, so a
 * mismatch is a data-quality signal for review, not a reason to reject.
 */
export function cccdDemographicWarnings(
  cccd: string,
  demographics: CccdDemographics,
): RuleViolation<CccdWarningRule>[] {
  const parsed = parseCccd(cccd);
  if (!parsed.ok) return [];
  const warnings: RuleViolation<CccdWarningRule>[] = [];
  const { birthYear, sex } = demographics;
  const centuryMismatch =
    birthYear !== undefined && Math.floor(birthYear / 100) * 100 !== parsed.value.century;
  if ((sex !== undefined && sex !== parsed.value.sex) || centuryMismatch) {
    warnings.push({
      rule: 'century-sex-mismatch',
      message: `digit 4 encodes ${parsed.value.sex} born in the ${parsed.value.century}s`,
    });
  }
  if (birthYear !== undefined && birthYear % 100 !== parsed.value.birthYear % 100) {
    warnings.push({
      rule: 'birth-year-mismatch',
      message: `digits 5–6 encode birth year ${parsed.value.birthYear}, record says ${birthYear}`,
    });
  }
  return warnings;
}

export type LegacyIdRule = 'format';

/** Old 9-digit identity card (CMND); still present in hospital data, no structure to decode. */
export function parseCmnd(input: string): Validated<string, LegacyIdRule> {
  const value = input.trim();
  return /^[0-9]{9}$/.test(value)
    ? valid(value)
    : invalid({ rule: 'format', message: 'CMND number must be exactly 9 digits' });
}

/**
 * Passport numbers: Vietnamese ones are one letter + 7 digits, foreign ones vary, so accept the ICAO
 * 9303 document-number shape (up to 9 alphanumerics) after removing separators people type.
 */
export function parsePassportNumber(input: string): Validated<string, LegacyIdRule> {
  const value = input.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z0-9]{6,9}$/.test(value) && /[0-9]/.test(value)
    ? valid(value)
    : invalid({ rule: 'format', message: 'passport number must be 6–9 letters/digits' });
}

export type PersonalIdKind = 'cccd' | 'cmnd' | 'passport' | 'unknown';

/**
 * XML 130's SO_CCCD carries a CCCD, a CMND, a passport or an e-ID code in the same field: classify it
 * so matching compares like with like.
 */
export function classifyPersonalId(input: string): PersonalIdKind {
  if (parseCccd(input).ok) return 'cccd';
  if (parseCmnd(input).ok) return 'cmnd';
  if (/[A-Za-z]/.test(input) && parsePassportNumber(input).ok) return 'passport';
  return 'unknown';
}
