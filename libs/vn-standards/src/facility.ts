import { BIRTH_REGISTRATION_PROVINCES } from './birth-registration-codes';
import { invalid, valid, type Validated } from './validation-result';

export type FacilityCodeRule = 'format' | 'province-code';

/**
 * MA_CSKCB shape: 5 characters, the first two digits (the former province code). The one definition
 * of the rule: tokens, contracts, request schemas and the registry all use it.
 */
export const FACILITY_CODE_PATTERN = /^[0-9]{2}[0-9A-Z]{3}$/;
export const FACILITY_CODE_MESSAGE = 'facility code (MA_CSKCB) is 5 characters, the first 2 digits';

/** Shape only (see parseFacilityCode for the province check). */
export function isFacilityCodeFormat(value: string): boolean {
  return FACILITY_CODE_PATTERN.test(value);
}

/** 2-digit province code of the 34 provinces in force since 2025-07-01 (shape only). */
export const PROVINCE_CODE_PATTERN = /^[0-9]{2}$/;

export interface ParsedFacilityCode {
  readonly value: string;
  /** Pre-07/2025 province code (the 63-province numbering); codes were issued before the merger. */
  readonly formerProvinceCode: string;
  readonly formerProvinceName: string;
  /** Meaning unpublished; kept opaque. */
  readonly suffix: string;
  /** Province + "000": the temporary-card convention, not a real facility. */
  readonly isProvincePlaceholder: boolean;
}

/**
 * MA_CSKCB: 5 characters, first two the (old) province code. Facility codes are time-versioned by
 * the insurer, so this only checks shape; existence is a registry lookup, not a format rule.
 */
export function parseFacilityCode(input: string): Validated<ParsedFacilityCode, FacilityCodeRule> {
  const value = input.trim();
  if (!FACILITY_CODE_PATTERN.test(value)) {
    return invalid({ rule: 'format', message: FACILITY_CODE_MESSAGE });
  }
  const formerProvinceCode = value.slice(0, 2);
  const formerProvinceName = BIRTH_REGISTRATION_PROVINCES[`0${formerProvinceCode}`];
  if (formerProvinceName === undefined) {
    return invalid({
      rule: 'province-code',
      message: `unknown province code ${formerProvinceCode} in facility code`,
    });
  }
  return valid({
    value,
    formerProvinceCode,
    formerProvinceName,
    suffix: value.slice(2),
    isProvincePlaceholder: value.slice(2) === '000',
  });
}

/** Levels of care under Law 15/2023. */
export const FACILITY_LEVELS = ['initial', 'basic', 'specialised'] as const;
export type FacilityLevel = (typeof FACILITY_LEVELS)[number];

/**
 * Pre-2023 tiers. Still used by insurance rules and by people ("district hospital"); a facility
 * carries one as an attribute, never as a position in an administrative tree (districts are gone).
 */
export const HISTORICAL_TIERS = ['commune', 'district', 'provincial', 'central'] as const;
export type HistoricalTier = (typeof HISTORICAL_TIERS)[number];

/** Laboratory quality level under Decision 2429/QĐ-BYT. */
export type LabQualityLevel = 'unrated' | 1 | 2 | 3 | 4 | 5;
export const LAB_QUALITY_LEVELS: readonly LabQualityLevel[] = ['unrated', 1, 2, 3, 4, 5];

export function isFacilityLevel(value: string): value is FacilityLevel {
  return (FACILITY_LEVELS as readonly string[]).includes(value);
}

export function isHistoricalTier(value: string): value is HistoricalTier {
  return (HISTORICAL_TIERS as readonly string[]).includes(value);
}

export function parseLabQualityLevel(value: string | number): LabQualityLevel | undefined {
  if (value === 'unrated' || value === 0 || value === '0') return 'unrated';
  const n = typeof value === 'number' ? value : Number(value);
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5 ? n : undefined;
}

/** Numeric rank for comparisons; unrated ranks below level 1. */
export function labQualityRank(level: LabQualityLevel): number {
  return level === 'unrated' ? 0 : level;
}
