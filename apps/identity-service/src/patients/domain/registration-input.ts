import {
  cccdDemographicWarnings,
  canonicalDisplayName,
  datePrecision,
  foldName,
  nameTokenKey,
  normalisePhone,
  parseBhytCard,
  parseBirthDate,
  parseCccd,
  parseCmnd,
  parsePassportNumber,
  type PartialDate,
} from '@lienthong/vn-standards';
import { z } from 'zod';
import { IDENTIFIER_SYSTEMS, type IdentifierStatus, type IdentifierSystem } from '../../persistence/entities/patient-identifier.entity';
import { type SexCode } from '../../persistence/entities/patient.entity';
import { PatientError, PatientErrorCode, type FieldViolation } from './patient-error';

/** The request body of `POST /v1/patients` (and what other transports hand the use case). */
export const registerPatientBodySchema = z.object({
  /** Optional; when present it must equal the facility in the token. */
  facilityCode: z.string().optional(),
  /** The facility's own patient id (MA_BN). */
  localId: z.string().trim().min(1).max(100),
  fullName: z.string().trim().min(1).max(200),
  /** yyyy, yyyy-mm, yyyy-mm-dd or the ministry's yyyymmdd with 00 for unknown parts. */
  birthDate: z.string().trim().min(4).max(12).optional(),
  sex: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  address: z
    .object({
      provinceCode: z.string().regex(/^[0-9]{2}$/, 'province code is 2 digits').optional(),
      communeCode: z.string().regex(/^[0-9]{5}$/, 'commune code is 5 digits').optional(),
      line: z.string().trim().max(500).optional(),
    })
    .optional(),
  phone: z.string().trim().max(30).optional(),
  identifiers: z
    .array(
      z.object({
        system: z.enum(IDENTIFIER_SYSTEMS),
        value: z.string().min(1).max(64),
        status: z.enum(['active', 'cancelled', 're-issued']).optional(),
      }),
    )
    .max(20)
    .default([]),
});

export type RegisterPatientBody = z.input<typeof registerPatientBodySchema>;

export interface NormalisedIdentifier {
  readonly system: IdentifierSystem;
  /** Canonical value as stored (encrypted). */
  readonly value: string;
  /** What the blind index is computed over: the value, or for BHYT the 10-digit social-insurance number. */
  readonly indexValue: string;
  readonly status: IdentifierStatus;
  readonly flags: readonly string[];
}

export interface NormalisedDemographics {
  readonly fullName: string;
  readonly nameFolded: string;
  readonly nameTokenKey: string;
  readonly birthDate: PartialDate | undefined;
  readonly sex: SexCode;
  readonly provinceCode: string | undefined;
  readonly communeCode: string | undefined;
  readonly addressLine: string | undefined;
  readonly phone: string | undefined;
}

export interface Registration {
  readonly localId: string;
  readonly demographics: NormalisedDemographics;
  readonly identifiers: readonly NormalisedIdentifier[];
  /** Accepted but doubtful data (rule codes with a pointer), returned to the caller. */
  readonly warnings: readonly FieldViolation[];
}

function zodPointer(path: readonly PropertyKey[]): string {
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/**
 * Validates and normalises a registration. Hard rules (shape, CCCD format and registration code,
 * BHYT format, impossible dates) throw one PatientError listing every violation; soft CCCD
 * consistency findings (digit 4 vs sex/century, digits 5–6 vs birth year) become warnings: the
 * number is authoritative and hospital demographics are often wrong, so the record is accepted,
 * the finding is returned to the caller and stored on the identifier for data-quality review.
 */
export function parseRegistration(body: unknown): Registration {
  const parsed = registerPatientBodySchema.safeParse(body);
  if (!parsed.success) {
    throw new PatientError(
      PatientErrorCode.Validation,
      'the registration is invalid',
      parsed.error.issues.map((i) => ({ pointer: zodPointer(i.path), rule: `schema.${i.code}`, message: i.message })),
    );
  }
  const input = parsed.data;
  const violations: FieldViolation[] = [];
  const warnings: FieldViolation[] = [];

  let birthDate: PartialDate | undefined;
  if (input.birthDate !== undefined) {
    const date = parseBirthDate(input.birthDate);
    if (date.ok) birthDate = date.value;
    else for (const e of date.errors) violations.push({ pointer: '/birthDate', rule: `birth-date.${e.rule}`, message: e.message });
  }
  const sexForCccd = input.sex === 1 ? 'male' : input.sex === 2 ? 'female' : undefined;

  const identifiers: NormalisedIdentifier[] = [];
  input.identifiers.forEach((id, index) => {
    const pointer = `/identifiers/${index}/value`;
    const status: IdentifierStatus = id.status ?? 'active';
    switch (id.system) {
      case 'cccd': {
        const cccd = parseCccd(id.value);
        if (!cccd.ok) {
          for (const e of cccd.errors) violations.push({ pointer, rule: `cccd.${e.rule}`, message: e.message });
          return;
        }
        const flags = cccdDemographicWarnings(cccd.value.value, { birthYear: birthDate?.year, sex: sexForCccd }).map((w) => {
          warnings.push({ pointer, rule: `cccd.${w.rule}`, message: w.message });
          return w.rule;
        });
        identifiers.push({ system: 'cccd', value: cccd.value.value, indexValue: cccd.value.value, status, flags });
        return;
      }
      case 'cmnd': {
        const cmnd = parseCmnd(id.value);
        if (!cmnd.ok) for (const e of cmnd.errors) violations.push({ pointer, rule: `cmnd.${e.rule}`, message: e.message });
        else identifiers.push({ system: 'cmnd', value: cmnd.value, indexValue: cmnd.value, status, flags: [] });
        return;
      }
      case 'passport': {
        const passport = parsePassportNumber(id.value);
        if (!passport.ok) for (const e of passport.errors) violations.push({ pointer, rule: `passport.${e.rule}`, message: e.message });
        else identifiers.push({ system: 'passport', value: passport.value, indexValue: passport.value, status, flags: [] });
        return;
      }
      case 'bhyt': {
        const card = parseBhytCard(id.value);
        if (!card.ok) for (const e of card.errors) violations.push({ pointer, rule: `bhyt.${e.rule}`, message: e.message });
        else
          identifiers.push({
            system: 'bhyt',
            value: card.value.value,
            // Group code and benefit level change with employment and age; the 10 digits do not.
            indexValue: card.value.socialInsuranceNumber,
            status,
            flags: [],
          });
        return;
      }
      case 'eid': {
        const value = id.value.trim();
        if (!/^[A-Za-z0-9-]{4,64}$/.test(value)) {
          violations.push({ pointer, rule: 'eid.format', message: 'e-ID code must be 4–64 letters, digits or dashes' });
        } else identifiers.push({ system: 'eid', value, indexValue: value.toUpperCase(), status, flags: [] });
        return;
      }
    }
  });
  const seen = new Set<string>();
  identifiers.forEach((id) => {
    const key = `${id.system}|${id.indexValue}`;
    if (seen.has(key)) violations.push({ pointer: '/identifiers', rule: 'identifiers.duplicate', message: `${id.system} identifier given twice` });
    seen.add(key);
  });
  if (identifiers.filter((i) => i.system === 'cccd' && i.status === 'active').length > 1) {
    violations.push({ pointer: '/identifiers', rule: 'identifiers.one-active-cccd', message: 'a person has at most one active CCCD' });
  }

  let phone: string | undefined;
  if (input.phone !== undefined && input.phone !== '') {
    const normalised = normalisePhone(input.phone);
    if (normalised) phone = normalised.national;
    else warnings.push({ pointer: '/phone', rule: 'phone.format', message: 'not a Vietnamese phone number; ignored' });
  }

  if (violations.length > 0) throw new PatientError(PatientErrorCode.Validation, 'the registration is invalid', violations);

  const fullName = canonicalDisplayName(input.fullName);
  const nameFolded = foldName(fullName);
  if (nameFolded === '') {
    throw new PatientError(PatientErrorCode.Validation, 'the registration is invalid', [
      { pointer: '/fullName', rule: 'name.empty', message: 'name has no letters' },
    ]);
  }
  return {
    localId: input.localId,
    demographics: {
      fullName,
      nameFolded,
      nameTokenKey: nameTokenKey(fullName),
      birthDate,
      sex: input.sex,
      provinceCode: input.address?.provinceCode,
      communeCode: input.address?.communeCode,
      addressLine: input.address?.line,
      phone,
    },
    identifiers,
    warnings,
  };
}

export function birthPrecision(date: PartialDate | undefined): 'year' | 'month' | 'day' | null {
  return date === undefined ? null : datePrecision(date);
}
