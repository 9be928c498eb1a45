import {
  compact,
  FhirOperationError,
  identifierSystemOfUri,
  identifierSystemUri,
  localIdSystemUri,
  parseIdentifierSystem,
  searchSetBundle,
  type fhir4,
  type FhirUrls,
  vnAddress,
  vnAddressCodes,
  type SearchedResource,
} from '@lienthong/fhir';
import { phoneE164 } from '@lienthong/vn-standards';
import { invalidInput, pointerTo, type IdentityError } from '../../../domain/identity-error';
import { type PatientView } from '../../domain/disclosure';
import { canonicalIdentifier, isCanonical } from '../../domain/identifiers';
import { type CrossReference } from '../../use-cases/cross-reference/cross-reference.use-case';
import { type PatientMatch } from '../../use-cases/match-patients/match-patients.use-case';
import { type PatientSearch } from '../../use-cases/search-patients/search-patients.use-case';

export const MATCH_GRADE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/match-grade';

const GENDER: Readonly<Record<1 | 2 | 3, 'male' | 'female' | 'unknown'>> = { 1: 'male', 2: 'female', 3: 'unknown' };
const SEX_BY_GENDER: Readonly<Record<string, 1 | 2 | 3>> = { male: 1, female: 2, other: 3, unknown: 3 };

/**
 * PatientView (already shaped for the caller: identifier values only for the reporting facility,
 * links filtered) → FHIR R4 Patient.
 *
 * A read of a merged id answers the merged resource itself, as R4 defines it (Patient.link, "replaced-by":
 * "the patient resource containing this link must no longer be used"): the id asked for, `active: false`
 * and a link to the survivor — not the survivor under another id (a read answers the resource at its
 * URL, R4 §3.1.0.2). The survivor holds the record; the merged resource carries nothing else.
 */
export function toFhirPatient(view: PatientView): SearchedResource<fhir4.Patient> {
  if (view.redirectedFrom !== undefined) {
    return {
      resourceType: 'Patient',
      id: view.redirectedFrom,
      active: false,
      link: [{ other: { reference: `Patient/${view.enterprisePatientId}` }, type: 'replaced-by' }],
    };
  }
  const tokens = view.fullName.split(' ');
  const phone = phoneE164(view.phone);
  return compact<SearchedResource<fhir4.Patient>>({
    resourceType: 'Patient',
    id: view.enterprisePatientId,
    active: view.status === 'active',
    identifier: [
      ...view.identifiers.flatMap((i): fhir4.Identifier[] =>
        i.value === undefined ? [] : [{ system: identifierSystemUri(i.system), value: i.value, use: i.status === 'active' ? undefined : 'old' }],
      ),
      ...view.links.map((l): fhir4.Identifier => ({ system: localIdSystemUri(l.facilityCode), value: l.localId, use: 'usual' })),
    ],
    // Vietnamese order: family name first, given name last.
    name: [{ use: 'official', text: view.fullName, family: tokens.length > 1 ? tokens[0] : undefined, given: tokens.length > 1 ? tokens.slice(1) : undefined }],
    telecom: phone === undefined ? undefined : [{ system: 'phone', value: phone }],
    gender: GENDER[view.sex],
    birthDate: view.birthDate,
    // Province and commune codes in their coded extensions, the province name in `state` (vn-address.ts).
    address: view.address === undefined ? undefined : [vnAddress(view.address)].filter((a): a is fhir4.Address => a !== undefined),
  });
}

function invalidParameter(field: string, message: string): IdentityError {
  return invalidInput(message, [{ field, rule: 'fhir.token', message }]);
}

/** `system|value` FHIR token → the search it denotes. */
export function tokenSearch(token: string | undefined, field: string): PatientSearch {
  const bar = token?.indexOf('|') ?? -1;
  if (token === undefined || bar <= 0 || bar === token.length - 1) throw invalidParameter(field, `${field} must be system|value`);
  const [system, value] = [token.slice(0, bar), token.slice(bar + 1)];
  const parsed = parseIdentifierSystem(system);
  if (!parsed) throw invalidParameter(field, `unknown identifier system ${system}`);
  if (parsed.kind === 'local') return { by: 'local-id', facilityCode: parsed.facilityCode, localId: value };
  // Normalised exactly as registration does, so the blind index of what is searched meets what is stored.
  const identifier = canonicalIdentifier(parsed.system, value);
  if (!isCanonical(identifier)) throw invalidInput('the identifier is invalid', identifier.map((e) => ({ field, ...e })));
  return { by: 'identifier', identifier };
}

/**
 * PIXm `sourceIdentifier` → the search it denotes. A well-formed token whose system is no identity
 * domain we know is ITI-83's "Case 3" (400, `code-invalid`); `knownFacility` tells whether a local-id
 * system names a registered facility.
 */
export function pixSource(token: string | undefined, knownFacility: (code: string) => boolean): PatientSearch {
  const system = token?.slice(0, Math.max(token.indexOf('|'), 0)) ?? '';
  const parsed = system === '' ? undefined : parseIdentifierSystem(system);
  const wellFormed = token !== undefined && token.indexOf('|') > 0 && token.indexOf('|') < token.length - 1;
  if (wellFormed && (parsed === undefined || (parsed.kind === 'local' && !knownFacility(parsed.facilityCode)))) {
    throw new FhirOperationError(400, 'code-invalid', 'sourceIdentifier Assigning Authority not found');
  }
  return tokenSearch(token, 'sourceIdentifier');
}

/**
 * PIXm `targetSystem` → the facility whose local ids are wanted (undefined: every facility). The
 * domains we cross-reference are the facilities' local-id systems; any other system, or a facility
 * not in the registry, is ITI-83's "Case 4" (403, `code-invalid`, "targetSystem not found").
 */
export function pixTargetFacility(targetSystem: string | undefined, knownFacility: (code: string) => boolean): string | undefined {
  if (targetSystem === undefined) return undefined;
  const parsed = parseIdentifierSystem(targetSystem);
  if (parsed?.kind !== 'local' || !knownFacility(parsed.facilityCode)) throw new FhirOperationError(403, 'code-invalid', 'targetSystem not found');
  return parsed.facilityCode;
}

/**
 * PIXm response: each facility's local id, then the enterprise id it belongs to. No patient for the
 * source identifier (or none the caller may learn of) is ITI-83's "Case 2": 404 with an
 * OperationOutcome, not an empty Parameters a client could take for "no other ids".
 */
export function pixParameters(refs: readonly CrossReference[]): fhir4.Parameters {
  if (refs.length === 0) throw new FhirOperationError(404, 'not-found', 'sourceIdentifier Patient Identifier not found');
  return compact<fhir4.Parameters>({
    resourceType: 'Parameters',
    parameter: refs.flatMap((r): fhir4.ParametersParameter[] => [
      ...r.links.map((l) => ({ name: 'targetIdentifier', valueIdentifier: { system: localIdSystemUri(l.facilityCode), value: l.localId } })),
      { name: 'targetId', valueReference: { reference: `Patient/${r.enterprisePatientId}` } },
    ]),
  });
}

export function searchBundle(urls: FhirUrls, views: readonly PatientView[]): fhir4.Bundle<fhir4.Patient> {
  return searchSetBundle(
    urls,
    views.map((v) => ({ resource: toFhirPatient(v) })),
  );
}

/** Weight in bits → a 0..1 score (logistic around 0); an exact CCCD is 1. */
function scoreOf(weight: number): number {
  if (!Number.isFinite(weight)) return weight > 0 ? 1 : 0;
  return Math.round((1 / (1 + 2 ** -weight)) * 1000) / 1000;
}

/** PDQm `$match` response: ranked, each with a 0..1 score and the IHE match grade. */
export function matchBundle(urls: FhirUrls, matches: readonly PatientMatch[]): fhir4.Bundle<fhir4.Patient> {
  return searchSetBundle(
    urls,
    matches.map((m) => ({ resource: toFhirPatient(m.view), score: scoreOf(m.weight), extension: [{ url: MATCH_GRADE_EXTENSION, valueCode: m.grade }] })),
  );
}

function badMatchBody(message: string, path: readonly string[]): IdentityError {
  return invalidInput(message, [{ pointer: pointerTo(path), rule: 'fhir.match', message }]);
}

/** `$match` Parameters { resource: Patient, onlyCertainMatches? } → registration-shaped input. */
export function fhirMatchInput(body: unknown): { input: Record<string, unknown>; onlyCertain: boolean } {
  const params = body as Partial<fhir4.Parameters> | undefined;
  if (params?.resourceType !== 'Parameters' || !Array.isArray(params.parameter)) throw badMatchBody('body must be a Parameters resource', ['resourceType']);
  const resource = params.parameter.find((p) => p.name === 'resource')?.resource as Partial<fhir4.Patient> | undefined;
  if (resource?.resourceType !== 'Patient') throw badMatchBody('parameter "resource" must hold a Patient', ['parameter']);
  const name = resource.name?.[0];
  const fullName = name?.text ?? [name?.family, ...(name?.given ?? [])].filter((s) => s !== undefined).join(' ');
  const identifiers = (resource.identifier ?? [])
    .map((i) => ({ system: identifierSystemOfUri(i.system ?? ''), value: i.value }))
    .filter((i): i is { system: NonNullable<typeof i.system>; value: string } => i.system !== undefined && typeof i.value === 'string');
  const address = resource.address?.[0] === undefined ? undefined : vnAddressCodes(resource.address[0]);
  const phone = resource.telecom?.find((t) => t.system === 'phone')?.value;
  return {
    // Registration-shaped input, not FHIR output: absent fields are left out, and `identifiers` stays
    // a list (possibly empty), as the registration rules expect.
    input: {
      fullName,
      sex: SEX_BY_GENDER[resource.gender ?? 'unknown'] ?? 3,
      ...(typeof resource.birthDate === 'string' ? { birthDate: resource.birthDate } : {}),
      ...(address?.provinceCode !== undefined || address?.communeCode !== undefined
        ? { address: { ...(address.provinceCode !== undefined ? { provinceCode: address.provinceCode } : {}), ...(address.communeCode !== undefined ? { communeCode: address.communeCode } : {}) } }
        : {}),
      ...(phone ? { phone } : {}),
      identifiers,
    },
    onlyCertain: params.parameter.some((p) => p.name === 'onlyCertainMatches' && p.valueBoolean === true),
  };
}
