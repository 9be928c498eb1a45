import {
  CHILD_OWN_CONSENT_AGE,
  type ConsentChannel,
  type DataCategory,
  type FacilityLevel,
  isSensitiveCategory,
  type PurposeOfUse,
  type RepresentativeRelationship,
} from '@lienthong/vn-standards';
import { type FieldViolation, invalid } from './consent-error';

/** Whom a consent names (the contract's grantee union, restated here so the domain owns its model). */
export type Grantee =
  | { readonly kind: 'any-facility' }
  | { readonly kind: 'facilities'; readonly facilityCodes: readonly string[] }
  | { readonly kind: 'levels'; readonly levels: readonly FacilityLevel[] }
  | { readonly kind: 'province'; readonly provinceCode: string }
  | { readonly kind: 'care-relationship' };

export interface ConsentScope {
  readonly purposes: readonly PurposeOfUse[];
  readonly categories: readonly DataCategory[];
  readonly grantees: readonly Grantee[];
  readonly validFrom: Date;
  /** Null: until withdrawn. */
  readonly validUntil: Date | null;
}

/**
 * How the patient's word was captured (Law 91/2025: consent must be reproducible, its evidence kept).
 * `reference` is VNeID's transaction id or the SMS message id; `documentSha256` the signed paper's scan.
 */
export interface Evidence {
  readonly channel: ConsentChannel;
  readonly reference: string | null;
  readonly documentSha256: string | null;
  /** The member of staff who took it, as the facility's HIS names them. */
  readonly recordedBy: string;
  /** The facility the caller speaks for (the token's, never the body's). */
  readonly recordedAtFacility: string;
  readonly recordedAt: Date;
  /** The patient was told which of the data is sensitive (the law's "informed"). */
  readonly informedOfSensitivity: boolean;
}

/** A legal representative who consented for a minor or a person without capacity. */
export interface Representative {
  readonly relationship: RepresentativeRelationship;
  readonly name: string;
  /** The patient's birth date as on the birth certificate the recorder saw (YYYY-MM-DD). */
  readonly subjectBirthDate: string;
  /** The child (age 7 and over) consented too. */
  readonly childConsented: boolean;
}

/** granted/refused are what the patient said; withdrawn ends a grant or a refusal from its recording time. */
export type ConsentStatus = 'granted' | 'refused' | 'withdrawn';

/** One version of a consent. History is never edited: a change is version n+1, and every version stays readable. */
export interface ConsentVersion {
  readonly consentId: string;
  readonly version: number;
  readonly enterprisePatientId: string;
  readonly status: ConsentStatus;
  readonly scope: ConsentScope;
  readonly evidence: Evidence;
  readonly representative: Representative | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The rules a statement must keep whatever the transport; shapes are the edge's (zod). Throws a 422-coded error listing every rule broken. */
export function checkStatement(version: ConsentVersion): ConsentVersion {
  const violations: FieldViolation[] = [];
  const { scope, evidence, representative } = version;
  if (scope.validUntil !== null && scope.validUntil.getTime() <= scope.validFrom.getTime()) {
    violations.push({ pointer: '#/scope/validUntil', rule: 'after-valid-from', message: 'must be after validFrom' });
  }
  if (evidence.channel === 'signed-paper' && (evidence.documentSha256 === null || !SHA256_HEX.test(evidence.documentSha256))) {
    violations.push({ pointer: '#/evidence/documentSha256', rule: 'required', message: 'a signed paper needs the SHA-256 (64 lower-case hex) of its scan' });
  }
  if ((evidence.channel === 'vneid' || evidence.channel === 'sms-code') && (evidence.reference === null || evidence.reference.trim() === '')) {
    violations.push({ pointer: '#/evidence/reference', rule: 'required', message: `a ${evidence.channel} consent needs its transaction or message reference` });
  }
  if (!evidence.informedOfSensitivity) {
    violations.push({
      pointer: '#/evidence/informedOfSensitivity',
      rule: 'must-be-true',
      message: 'the patient must be told which of the data is sensitive before consenting (Law 91/2025)',
    });
  }
  if (representative !== null && !isCalendarDate(representative.subjectBirthDate)) {
    violations.push({ pointer: '#/representative/subjectBirthDate', rule: 'date', message: 'must be a real date, YYYY-MM-DD' });
  } else if (representative !== null && representative.subjectBirthDate > vietnamDate(evidence.recordedAt)) {
    violations.push({ pointer: '#/representative/subjectBirthDate', rule: 'not-future', message: 'must not be in the future' });
  }
  if (violations.length > 0) throw invalid(violations);
  return version;
}

/** Sensitive categories the scope names: the patient was told about these in particular. */
export function sensitiveCategoriesOf(scope: ConsentScope): DataCategory[] {
  return scope.categories.filter((c) => isSensitiveCategory(c));
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** The calendar date in Vietnam (UTC+07:00, no daylight saving) at an instant, YYYY-MM-DD. */
export function vietnamDate(at: Date | number): string {
  return new Date((typeof at === 'number' ? at : at.getTime()) + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** Completed years of age on the Vietnamese calendar date of `at`. */
export function ageAt(birthDate: string, at: Date | number): number {
  const today = vietnamDate(at);
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** A representative alone is enough below the age the law sets; from it, the child must consent too. */
export function childConsentMissing(representative: Pick<Representative, 'subjectBirthDate' | 'childConsented'>, at: Date | number): boolean {
  return !representative.childConsented && ageAt(representative.subjectBirthDate, at) >= CHILD_OWN_CONSENT_AGE;
}
