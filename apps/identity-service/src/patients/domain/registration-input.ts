import {
  cccdDemographicWarnings,
  canonicalDisplayName,
  datePrecision,
  foldName,
  nameTokenKey,
  IDENTIFIER_SYSTEMS,
  normalisePhone,
  parseBirthDate,
  PROVINCE_CODE_PATTERN,
  type PartialDate,
} from '@lienthong/vn-standards';
import { z } from 'zod';
import { invalidInput, pointerTo, type FieldViolation } from '../../domain/identity-error';
import { canonicalIdentifier, isCanonical, type CanonicalIdentifier } from './identifiers';
import { IDENTIFIER_STATUSES, type IdentifierStatus, type NormalisedDemographics } from './patient';

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
      provinceCode: z.string().regex(PROVINCE_CODE_PATTERN, 'province code is 2 digits').optional(),
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
        status: z.enum(IDENTIFIER_STATUSES).optional(),
      }),
    )
    .max(20)
    .default([]),
});

export type RegisterPatientBody = z.input<typeof registerPatientBodySchema>;

export interface NormalisedIdentifier extends CanonicalIdentifier {
  readonly status: IdentifierStatus;
  readonly flags: readonly string[];
}

export interface Registration {
  readonly localId: string;
  readonly demographics: NormalisedDemographics;
  readonly identifiers: readonly NormalisedIdentifier[];
  /** Accepted but doubtful data (rule codes with a pointer), returned to the caller. */
  readonly warnings: readonly FieldViolation[];
}

/**
 * Validates and normalises a registration. Hard rules (shape, CCCD format and registration code,
 * BHYT format, impossible dates) throw one IdentityError listing every violation; soft CCCD
 * consistency findings (digit 4 vs sex/century, digits 5–6 vs birth year) become warnings: the
 * number is authoritative and hospital demographics are often wrong, so the record is accepted,
 * the finding is returned to the caller and stored on the identifier for data-quality review.
 */
export function parseRegistration(body: unknown): Registration {
  const parsed = registerPatientBodySchema.safeParse(body);
  if (!parsed.success) {
    throw invalidInput(
      'the registration is invalid',
      parsed.error.issues.map((i) => ({ pointer: pointerTo(i.path), rule: `schema.${i.code}`, message: i.message })),
    );
  }
  const input = parsed.data;
  const violations: FieldViolation[] = [];
  const warnings: FieldViolation[] = [];

  let birthDate: PartialDate | undefined;
  if (input.birthDate !== undefined) {
    const date = parseBirthDate(input.birthDate);
    if (date.ok) birthDate = date.value;
    else for (const e of date.errors) violations.push({ pointer: '#/birthDate', rule: `birth-date.${e.rule}`, message: e.message });
  }
  const sexForCccd = input.sex === 1 ? 'male' : input.sex === 2 ? 'female' : undefined;

  const identifiers: NormalisedIdentifier[] = [];
  input.identifiers.forEach((id, index) => {
    const pointer = pointerTo(['identifiers', index, 'value']);
    const canonical = canonicalIdentifier(id.system, id.value);
    if (!isCanonical(canonical)) {
      for (const e of canonical) violations.push({ pointer, ...e });
      return;
    }
    const flags =
      canonical.system === 'cccd'
        ? cccdDemographicWarnings(canonical.value, { birthYear: birthDate?.year, sex: sexForCccd }).map((w) => {
            warnings.push({ pointer, rule: `cccd.${w.rule}`, message: w.message });
            return w.rule;
          })
        : [];
    identifiers.push({ ...canonical, status: id.status ?? 'active', flags });
  });
  const seen = new Set<string>();
  identifiers.forEach((id) => {
    const key = `${id.system}|${id.indexValue}`;
    if (seen.has(key)) violations.push({ pointer: '#/identifiers', rule: 'identifiers.duplicate', message: `${id.system} identifier given twice` });
    seen.add(key);
  });
  if (identifiers.filter((i) => i.system === 'cccd' && i.status === 'active').length > 1) {
    violations.push({ pointer: '#/identifiers', rule: 'identifiers.one-active-cccd', message: 'a person has at most one active CCCD' });
  }

  let phone: string | undefined;
  if (input.phone !== undefined && input.phone !== '') {
    const normalised = normalisePhone(input.phone);
    if (normalised) phone = normalised.national;
    else warnings.push({ pointer: '#/phone', rule: 'phone.format', message: 'not a Vietnamese phone number; ignored' });
  }

  if (violations.length > 0) throw invalidInput('the registration is invalid', violations);

  const fullName = canonicalDisplayName(input.fullName);
  const nameFolded = foldName(fullName);
  if (nameFolded === '') {
    throw invalidInput('the registration is invalid', [{ pointer: '#/fullName', rule: 'name.empty', message: 'name has no letters' }]);
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
