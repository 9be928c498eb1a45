import { PatientError, PatientErrorCode } from '../domain/patient-error';
import { type PatientMatch } from '../use-cases/match-patients/match-patients.use-case';
import { type PatientView } from '../visibility/patient-view';
import { type FhirBundle, type FhirParameters } from './fhir-types';
import { IDENTIFIER_SYSTEM_URIS, MATCH_GRADE_EXTENSION, toFhirPatient } from './patient-fhir.mapper';

export function searchBundle(items: readonly PatientView[]): FhirBundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: items.length,
    entry: items.map((v) => ({ fullUrl: `Patient/${v.enterprisePatientId}`, resource: toFhirPatient(v), search: { mode: 'match' } })),
  };
}

/** Weight in bits → a 0..1 score (logistic around 0); an exact CCCD is 1. */
function scoreOf(weight: number): number {
  if (!Number.isFinite(weight)) return weight > 0 ? 1 : 0;
  return Math.round((1 / (1 + 2 ** -weight)) * 1000) / 1000;
}

export function matchBundle(matches: readonly PatientMatch[]): FhirBundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    entry: matches.map((m) => {
      const view = m.view;
      return {
        fullUrl: `Patient/${view.enterprisePatientId}`,
        resource: toFhirPatient(view),
        search: { mode: 'match', score: scoreOf(m.weight), extension: [{ url: MATCH_GRADE_EXTENSION, valueCode: m.grade }] },
      };
    }),
  };
}

const SYSTEM_BY_URI = new Map(Object.entries(IDENTIFIER_SYSTEM_URIS).map(([k, v]) => [v, k]));
const SEX_BY_GENDER: Readonly<Record<string, 1 | 2 | 3>> = { male: 1, female: 2, other: 3, unknown: 3 };

function bad(message: string, pointer: string): PatientError {
  return new PatientError(PatientErrorCode.Validation, message, [{ pointer, rule: 'fhir.match', message }]);
}

/** `$match` Parameters { resource: Patient, onlyCertainMatches? } → registration-shaped input. */
export function fhirMatchInput(body: unknown): { input: Record<string, unknown>; onlyCertain: boolean } {
  const params = body as Partial<FhirParameters> | undefined;
  if (!params || params.resourceType !== 'Parameters' || !Array.isArray(params.parameter)) throw bad('body must be a Parameters resource', '/resourceType');
  const resource = params.parameter.find((p) => p.name === 'resource')?.resource as Record<string, unknown> | undefined;
  if (!resource || resource['resourceType'] !== 'Patient') throw bad('parameter "resource" must hold a Patient', '/parameter');
  const names = (resource['name'] as { text?: string; family?: string; given?: string[] }[] | undefined) ?? [];
  const name = names[0];
  const fullName = name?.text ?? [name?.family, ...(name?.given ?? [])].filter((s) => s !== undefined).join(' ');
  const identifiers = ((resource['identifier'] as { system?: string; value?: string }[] | undefined) ?? [])
    .map((i) => ({ system: SYSTEM_BY_URI.get(i.system ?? ''), value: i.value }))
    .filter((i): i is { system: string; value: string } => i.system !== undefined && typeof i.value === 'string');
  const address = (resource['address'] as { state?: string; city?: string }[] | undefined)?.[0];
  const phone = (resource['telecom'] as { system?: string; value?: string }[] | undefined)?.find((t) => t.system === 'phone')?.value;
  const birthDate = resource['birthDate'];
  return {
    input: {
      fullName,
      sex: SEX_BY_GENDER[String(resource['gender'] ?? 'unknown')] ?? 3,
      ...(typeof birthDate === 'string' ? { birthDate } : {}),
      ...(address ? { address: { ...(address.state ? { provinceCode: address.state } : {}), ...(address.city ? { communeCode: address.city } : {}) } } : {}),
      ...(phone ? { phone } : {}),
      identifiers,
    },
    onlyCertain: params.parameter.some((p) => p.name === 'onlyCertainMatches' && p.valueBoolean === true),
  };
}

