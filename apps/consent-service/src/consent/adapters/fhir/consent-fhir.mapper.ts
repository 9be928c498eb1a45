import { compact, FHIR_SID_BASE, type fhir4, type FhirUrls, type SearchedResource, searchSetBundle } from '@lienthong/fhir';
import { ValidationError } from '@lienthong/platform';
import { type RepresentativeRelationship } from '@lienthong/vn-standards';
import { type Grantee, type Representative } from '../../domain/consent';
import { effectiveStatus, type EffectiveStatus } from '../../domain/disclosure';
import { type ConsentPage, type StoredConsent } from '../../ports/consent-store.port';

/*
 * A consent version as an R4 Consent. Our vocabularies travel as Liên Thông code and identifier
 * systems (published URIs: never change one, add another):
 *   provision.purpose   the purpose of use              PURPOSE_OF_USE_SYSTEM
 *   provision.class     the data category it covers     DATA_CATEGORY_SYSTEM (what sort of information — R4's "class")
 *   provision.actor     the grantees, role IRCP         a facility by FACILITY_SYSTEM; a set of facilities
 *                                                       (any, a level, a province, care relationships) by GRANTEE_SYSTEM
 *   organization        the recording facility          FACILITY_SYSTEM
 *   sourceAttachment    the signed paper's scan         hash = base64 of its SHA-256 (R4 names SHA-1; the law's evidence is SHA-256)
 */
export const PURPOSE_OF_USE_SYSTEM = 'https://lienthong.vn/fhir/CodeSystem/purpose-of-use';
export const DATA_CATEGORY_SYSTEM = 'https://lienthong.vn/fhir/CodeSystem/data-category';
/** Facilities by their MA_CSKCB code. */
export const FACILITY_SYSTEM = `${FHIR_SID_BASE}/facility`;
/** Sets of facilities a consent names: `any-facility`, `care-relationship`, `level/<level>`, `province/<code>`. */
export const GRANTEE_SYSTEM = `${FHIR_SID_BASE}/consent-grantee`;

const CONSENT_SCOPE = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' }] };
const CONSENT_CATEGORY = [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }];
const RECIPIENT = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] };
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

const RELATIONSHIP: Readonly<Record<RepresentativeRelationship, { code: string; display: string }>> = {
  parent: { code: 'PRN', display: 'parent' },
  guardian: { code: 'GUARD', display: 'guardian' },
  spouse: { code: 'SPS', display: 'spouse' },
  'adult-child': { code: 'CHILD', display: 'child' },
  sibling: { code: 'SIB', display: 'sibling' },
  'court-appointed': { code: 'GUARD', display: 'guardian' },
};

/** R4 Consent.status of what a version means now: an expired or withdrawn grant no longer applies. */
export function fhirStatus(status: EffectiveStatus): 'active' | 'rejected' | 'inactive' {
  switch (status) {
    case 'granted':
      return 'active';
    case 'refused':
      return 'rejected';
    case 'withdrawn':
    case 'expired':
      return 'inactive';
  }
}

/** One version of a consent as a Consent resource (`meta.versionId` its number); by default the current one. */
export function toFhirConsent(consent: StoredConsent, now: Date, versionNumber?: number): SearchedResource<fhir4.Consent> {
  const version = versionNumber === undefined ? consent.versions[consent.versions.length - 1] : consent.versions.find((v) => v.version === versionNumber);
  if (version === undefined) throw new Error(`consent ${consent.consentId} has no version ${versionNumber ?? '(current)'}`);
  const { scope, evidence, representative } = version;
  const patient = { reference: `Patient/${consent.enterprisePatientId}` };
  const recordedAt = evidence.recordedAt.toISOString();
  return compact<SearchedResource<fhir4.Consent>>({
    resourceType: 'Consent',
    id: consent.consentId,
    meta: { versionId: String(version.version), lastUpdated: recordedAt },
    contained: representative === null ? undefined : [relatedPerson(representative, patient)],
    status: fhirStatus(effectiveStatus(version, now)),
    scope: CONSENT_SCOPE,
    category: CONSENT_CATEGORY,
    patient,
    dateTime: recordedAt,
    // Who agreed: the patient, or their representative — and the child too when it consented itself.
    performer: representative === null ? [patient] : [{ reference: '#representative' }, ...(representative.childConsented ? [patient] : [])],
    organization: [{ type: 'Organization', identifier: { system: FACILITY_SYSTEM, value: evidence.recordedAtFacility } }],
    sourceAttachment:
      evidence.documentSha256 === null ? undefined : { title: 'Signed consent form (scan)', hash: Buffer.from(evidence.documentSha256, 'hex').toString('base64') },
    policyRule: { coding: [{ system: ACT_CODE, code: version.status === 'refused' ? 'OPTOUT' : 'OPTIN' }] },
    provision: {
      type: version.status === 'refused' ? 'deny' : 'permit',
      period: { start: scope.validFrom.toISOString(), end: version.status === 'withdrawn' ? recordedAt : scope.validUntil?.toISOString() },
      actor: scope.grantees.flatMap(granteeActors),
      purpose: scope.purposes.map((code) => ({ system: PURPOSE_OF_USE_SYSTEM, code })),
      class: scope.categories.map((code) => ({ system: DATA_CATEGORY_SYSTEM, code })),
    },
  });
}

/** The legal representative, contained in the Consent (it exists nowhere else as a resource). */
function relatedPerson(representative: Representative, patient: fhir4.Reference): fhir4.RelatedPerson {
  return {
    resourceType: 'RelatedPerson',
    id: 'representative',
    patient,
    relationship: [{ coding: [{ system: ROLE_CODE, ...RELATIONSHIP[representative.relationship] }], text: representative.relationship }],
    name: [{ text: representative.name }],
  };
}

function granteeActors(grantee: Grantee): fhir4.ConsentProvisionActor[] {
  const group = (value: string, display: string): fhir4.ConsentProvisionActor => ({
    role: RECIPIENT,
    reference: { type: 'Group', identifier: { system: GRANTEE_SYSTEM, value }, display },
  });
  switch (grantee.kind) {
    case 'facilities':
      return grantee.facilityCodes.map((code) => ({ role: RECIPIENT, reference: { type: 'Organization', identifier: { system: FACILITY_SYSTEM, value: code } } }));
    case 'any-facility':
      return [group('any-facility', 'Every facility')];
    case 'care-relationship':
      return [group('care-relationship', 'The facilities with a care relationship to the patient')];
    case 'levels':
      return grantee.levels.map((level) => group(`level/${level}`, `Facilities of level ${level}`));
    case 'province':
      return [group(`province/${grantee.provinceCode}`, `Facilities in province ${grantee.provinceCode}`)];
  }
}

/** A searchset of the consents' current versions, with a `next` link while more follow. */
export function consentSearchBundle(urls: FhirUrls, page: ConsentPage, now: Date, next: (cursor: string) => string): fhir4.Bundle<fhir4.Consent> {
  const bundle = searchSetBundle(urls, page.items.map((c) => ({ resource: toFhirConsent(c, now) })));
  if (page.nextCursor === null) return bundle;
  // `total` counts the whole set, which one page does not know: left out (it is optional) rather than wrong.
  const { total: _pageCount, ...partial } = bundle;
  return { ...partial, link: [...(bundle.link ?? []), { relation: 'next', url: next(page.nextCursor) }] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A search parameter's one value. A repeated one (`?patient=…&patient=…`) arrives as an array: this
 * search has no OR, so that is a 422 naming the parameter, not a value to guess from.
 */
function single(name: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new ValidationError([{ field: name, rule: 'single', message: `${name} is given at most once` }]);
}

/** `patient=Patient/<id>` or `patient=<id>` → the enterprise patient id (422 naming the parameter otherwise). */
export function patientParameter(raw: unknown): string {
  const value = single('patient', raw);
  const id = value?.startsWith('Patient/') ? value.slice('Patient/'.length) : value;
  if (id === undefined || !UUID.test(id)) {
    throw new ValidationError([{ field: 'patient', rule: 'fhir.reference', message: 'patient is required: Patient/<enterprise patient id> or the id itself' }]);
  }
  return id.toLowerCase();
}

/** `_count`: 1..200, default 50. */
export function countParameter(raw: unknown): number {
  const value = single('_count', raw);
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new ValidationError([{ field: '_count', rule: 'range', message: '_count is an integer from 1 to 200' }]);
  return n;
}

/** `_cursor` (from a `next` link): the last consent id of the previous page. */
export function cursorParameter(raw: unknown): string | undefined {
  const value = single('_cursor', raw);
  if (value === undefined) return undefined;
  if (!UUID.test(value)) throw new ValidationError([{ field: '_cursor', rule: 'format', message: '_cursor comes from a next link of a previous page' }]);
  return value;
}
