import { type IdentifierSystem } from '../../persistence/entities/patient-identifier.entity';
import { type PatientView } from '../visibility/patient-view';
import { type FhirIdentifier, type FhirPatient } from './fhir-types';

export const FHIR_BASE_SID = 'https://lienthong.vn/fhir/sid';
export const FHIR_CONTENT_TYPE = 'application/fhir+json';
export const MATCH_GRADE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/match-grade';

/** Identifier system URIs, one per identifier kind; facility-local ids get one per facility. */
export const IDENTIFIER_SYSTEM_URIS: Readonly<Record<IdentifierSystem, string>> = {
  cccd: `${FHIR_BASE_SID}/cccd`,
  cmnd: `${FHIR_BASE_SID}/cmnd`,
  passport: `${FHIR_BASE_SID}/passport`,
  eid: `${FHIR_BASE_SID}/eid`,
  bhyt: `${FHIR_BASE_SID}/bhyt`,
};
const LOCAL_PREFIX = `${FHIR_BASE_SID}/local/`;

export function localIdSystem(facilityCode: string): string {
  return `${LOCAL_PREFIX}${facilityCode}`;
}

export type ParsedSystem = { kind: 'identifier'; system: IdentifierSystem } | { kind: 'local'; facilityCode: string };

/** A FHIR identifier system URI (or our short names) → what it denotes; undefined when unknown. */
export function parseSystemUri(uri: string): ParsedSystem | undefined {
  for (const [system, u] of Object.entries(IDENTIFIER_SYSTEM_URIS) as [IdentifierSystem, string][]) {
    if (uri === u || uri === system) return { kind: 'identifier', system };
  }
  if (uri.startsWith(LOCAL_PREFIX)) {
    const facilityCode = uri.slice(LOCAL_PREFIX.length);
    return /^[0-9A-Z]{5}$/.test(facilityCode) ? { kind: 'local', facilityCode } : undefined;
  }
  return undefined;
}

const GENDER: Readonly<Record<1 | 2 | 3, 'male' | 'female' | 'unknown'>> = { 1: 'male', 2: 'female', 3: 'unknown' };

/**
 * PatientView (already shaped for the caller: identifier values only for the reporting facility,
 * links filtered) → FHIR R4 Patient. A merged id answers with the survivor plus a `replaces` link.
 */
export function toFhirPatient(view: PatientView): FhirPatient {
  const identifier: FhirIdentifier[] = [];
  for (const i of view.identifiers) {
    if (i.value === undefined) continue;
    identifier.push({ system: IDENTIFIER_SYSTEM_URIS[i.system], value: i.value, ...(i.status === 'active' ? {} : { use: 'old' as const }) });
  }
  for (const l of view.links) identifier.push({ system: localIdSystem(l.facilityCode), value: l.localId, use: 'usual' });
  const tokens = view.fullName.split(' ');
  const patient: FhirPatient = {
    resourceType: 'Patient',
    id: view.enterprisePatientId,
    active: view.status === 'active',
    identifier,
    // Vietnamese order: family name first, given name last.
    name: [{ use: 'official', text: view.fullName, ...(tokens.length > 1 ? { family: tokens[0], given: tokens.slice(1) } : {}) }],
    gender: GENDER[view.sex],
  };
  if (view.birthDate !== undefined) patient.birthDate = view.birthDate;
  if (view.phone !== undefined) patient.telecom = [{ system: 'phone', value: `+84${view.phone}` }];
  if (view.address !== undefined) {
    patient.address = [
      {
        ...(view.address.line !== undefined ? { line: [view.address.line] } : {}),
        // Codes, not names: 5-digit commune and 2-digit province (since 2025-07-01).
        ...(view.address.communeCode !== undefined ? { city: view.address.communeCode } : {}),
        ...(view.address.provinceCode !== undefined ? { state: view.address.provinceCode } : {}),
        country: 'VN',
      },
    ];
  }
  if (view.redirectedFrom !== undefined) patient.link = [{ other: { reference: `Patient/${view.redirectedFrom}` }, type: 'replaces' }];
  return patient;
}
