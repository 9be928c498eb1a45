import { IDENTIFIER_SYSTEMS, isFacilityCodeFormat, isIdentifierSystem, type IdentifierSystem } from '@lienthong/vn-standards';

/**
 * Base of the identifier-system URIs Liên Thông publishes. These URIs are a contract with every
 * hospital system that searches by identifier: never change one (add a new system instead).
 */
export const FHIR_SID_BASE = 'https://lienthong.vn/fhir/sid';

const LOCAL_ID_PREFIX = `${FHIR_SID_BASE}/local/`;

/** One URI per Vietnamese identifier kind, total over IDENTIFIER_SYSTEMS by construction. */
export const IDENTIFIER_SYSTEM_URIS: Readonly<Record<IdentifierSystem, string>> = Object.freeze(
  Object.fromEntries(IDENTIFIER_SYSTEMS.map((system) => [system, `${FHIR_SID_BASE}/${system}`])) as Record<IdentifierSystem, string>,
);

const SYSTEM_BY_URI: ReadonlyMap<string, IdentifierSystem> = new Map(IDENTIFIER_SYSTEMS.map((system) => [IDENTIFIER_SYSTEM_URIS[system], system]));

export function identifierSystemUri(system: IdentifierSystem): string {
  return IDENTIFIER_SYSTEM_URIS[system];
}

/** The identifier kind a system URI denotes; undefined for any other URI. */
export function identifierSystemOfUri(uri: string): IdentifierSystem | undefined {
  return SYSTEM_BY_URI.get(uri);
}

/** The system of a facility's own patient numbers (medical record numbers): one URI per facility. */
export function localIdSystemUri(facilityCode: string): string {
  return `${LOCAL_ID_PREFIX}${facilityCode}`;
}

/** The facility whose local-id system this is; undefined unless the URI ends in a well-formed code. */
export function facilityOfLocalIdSystem(uri: string): string | undefined {
  if (!uri.startsWith(LOCAL_ID_PREFIX)) return undefined;
  const facilityCode = uri.slice(LOCAL_ID_PREFIX.length);
  return isFacilityCodeFormat(facilityCode) ? facilityCode : undefined;
}

export type ParsedIdentifierSystem = { readonly kind: 'identifier'; readonly system: IdentifierSystem } | { readonly kind: 'local'; readonly facilityCode: string };

/**
 * A token's system → what it denotes. The bare kind (`cccd|…`) is accepted as well as the URI: HIS
 * vendors already search that way, and it is unambiguous.
 */
export function parseIdentifierSystem(system: string): ParsedIdentifierSystem | undefined {
  const kind = identifierSystemOfUri(system) ?? (isIdentifierSystem(system) ? system : undefined);
  if (kind !== undefined) return { kind: 'identifier', system: kind };
  const facilityCode = facilityOfLocalIdSystem(system);
  return facilityCode === undefined ? undefined : { kind: 'local', facilityCode };
}
