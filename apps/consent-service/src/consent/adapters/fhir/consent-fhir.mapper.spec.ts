import { createHash } from 'node:crypto';
import { type ConsentVersion } from '../../domain/consent';
import { type StoredConsent } from '../../ports/consent-store.port';
import { consentSearchBundle, countParameter, cursorParameter, patientParameter, toFhirConsent } from './consent-fhir.mapper';

const PATIENT = '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e01';
const CONSENT = '01937000-0000-7000-8000-0000000000c1';
const SCAN = Buffer.from('%PDF-1.7 phiếu đồng ý đã ký');
const SCAN_SHA256 = createHash('sha256').update(SCAN).digest('hex');
const NOW = new Date('2026-03-10T03:00:00Z');

function version(n: number, overrides: Partial<ConsentVersion> = {}): ConsentVersion {
  return {
    consentId: CONSENT,
    version: n,
    enterprisePatientId: PATIENT,
    status: 'granted',
    scope: {
      purposes: ['treatment', 'referral'],
      categories: ['lab', 'hiv'],
      grantees: [{ kind: 'facilities', facilityCodes: ['79001', '79010'] }, { kind: 'levels', levels: ['specialised'] }, { kind: 'care-relationship' }],
      validFrom: new Date('2026-03-01T00:00:00Z'),
      validUntil: new Date('2026-09-01T00:00:00Z'),
    },
    evidence: {
      channel: 'signed-paper',
      reference: null,
      documentSha256: SCAN_SHA256,
      recordedBy: 'NV-0042',
      recordedAtFacility: '79001',
      recordedAt: new Date(`2026-03-0${n}T02:00:00Z`),
      informedOfSensitivity: true,
    },
    representative: null,
    ...overrides,
  };
}

const consentOf = (...versions: ConsentVersion[]): StoredConsent => ({
  consentId: CONSENT,
  enterprisePatientId: PATIENT,
  originalPatientId: PATIENT,
  createdAt: new Date('2026-03-01T02:00:00Z'),
  versions,
});

describe('Consent → FHIR R4', () => {
  it('a grant is an active permit: purposes, categories (HIV named), grantees, period, recording facility and the scan’s hash', () => {
    const resource = toFhirConsent(consentOf(version(1)), NOW);

    expect(resource).toMatchObject({
      resourceType: 'Consent',
      id: CONSENT,
      meta: { versionId: '1', lastUpdated: '2026-03-01T02:00:00.000Z' },
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${PATIENT}` },
      dateTime: '2026-03-01T02:00:00.000Z',
      performer: [{ reference: `Patient/${PATIENT}` }],
      organization: [{ type: 'Organization', identifier: { system: 'https://lienthong.vn/fhir/sid/facility', value: '79001' } }],
      policyRule: { coding: [{ code: 'OPTIN' }] },
    });
    // What a validator computes from the scan file itself.
    expect(resource.sourceAttachment?.hash).toBe(createHash('sha256').update(SCAN).digest('base64'));
    expect(resource.provision).toEqual({
      type: 'permit',
      period: { start: '2026-03-01T00:00:00.000Z', end: '2026-09-01T00:00:00.000Z' },
      purpose: [
        { system: 'https://lienthong.vn/fhir/CodeSystem/purpose-of-use', code: 'treatment' },
        { system: 'https://lienthong.vn/fhir/CodeSystem/purpose-of-use', code: 'referral' },
      ],
      class: [
        { system: 'https://lienthong.vn/fhir/CodeSystem/data-category', code: 'lab' },
        { system: 'https://lienthong.vn/fhir/CodeSystem/data-category', code: 'hiv' },
      ],
      actor: [
        { role: { coding: [expect.objectContaining({ code: 'IRCP' })] }, reference: { type: 'Organization', identifier: { system: 'https://lienthong.vn/fhir/sid/facility', value: '79001' } } },
        { role: { coding: [expect.objectContaining({ code: 'IRCP' })] }, reference: { type: 'Organization', identifier: { system: 'https://lienthong.vn/fhir/sid/facility', value: '79010' } } },
        expect.objectContaining({ reference: expect.objectContaining({ type: 'Group', identifier: { system: 'https://lienthong.vn/fhir/sid/consent-grantee', value: 'level/specialised' } }) }),
        expect.objectContaining({ reference: expect.objectContaining({ type: 'Group', identifier: { system: 'https://lienthong.vn/fhir/sid/consent-grantee', value: 'care-relationship' } }) }),
      ],
    });
  });

  it('status: a refusal is a rejected deny; a withdrawal inactive from when it was recorded; a grant past its end inactive', () => {
    const refused = toFhirConsent(consentOf(version(1, { status: 'refused' })), NOW);
    expect(refused).toMatchObject({ status: 'rejected', provision: { type: 'deny' }, policyRule: { coding: [{ code: 'OPTOUT' }] } });

    const withdrawn = toFhirConsent(consentOf(version(1), version(2, { status: 'withdrawn' })), NOW);
    expect(withdrawn).toMatchObject({ status: 'inactive', meta: { versionId: '2' }, provision: { type: 'permit', period: { end: '2026-03-02T02:00:00.000Z' } } });

    expect(toFhirConsent(consentOf(version(1)), new Date('2026-09-01T00:00:00Z')).status).toBe('inactive');
    expect(toFhirConsent(consentOf(version(1, { scope: { ...version(1).scope, validUntil: null } })), new Date('2030-01-01T00:00:00Z')).provision?.period).toEqual({
      start: '2026-03-01T00:00:00.000Z',
    });
  });

  it('vread answers the version asked for, as it was', () => {
    const consent = consentOf(version(1), version(2, { status: 'withdrawn' }));
    expect(toFhirConsent(consent, NOW, 1)).toMatchObject({ meta: { versionId: '1' }, status: 'active' });
  });

  it('a representative is a contained RelatedPerson who performed it, beside the child when the child consented too', () => {
    const representative = { relationship: 'parent' as const, name: 'Trần Thị Mai', subjectBirthDate: '2017-05-01', childConsented: true };
    const resource = toFhirConsent(consentOf(version(1, { representative, evidence: { ...version(1).evidence, channel: 'in-person', documentSha256: null } })), NOW);

    expect(resource.contained).toEqual([
      {
        resourceType: 'RelatedPerson',
        id: 'representative',
        patient: { reference: `Patient/${PATIENT}` },
        relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PRN', display: 'parent' }], text: 'parent' }],
        name: [{ text: 'Trần Thị Mai' }],
      },
    ]);
    expect(resource.performer).toEqual([{ reference: '#representative' }, { reference: `Patient/${PATIENT}` }]);
    expect(resource.sourceAttachment).toBeUndefined();
  });

  it('a search is a searchset of current versions with absolute URLs and a next link while more follow', () => {
    const whole = consentSearchBundle({ baseUrl: 'https://hie.example.vn/fhir', selfUrl: 'x' }, { items: [consentOf(version(1))], nextCursor: null }, NOW, () => 'unused');
    expect(whole).toMatchObject({ total: 1, link: [{ relation: 'self' }] });

    const urls = { baseUrl: 'https://hie.example.vn/fhir', selfUrl: `https://hie.example.vn/fhir/Consent?patient=${PATIENT}` };
    const bundle = consentSearchBundle(urls, { items: [consentOf(version(1), version(2))], nextCursor: CONSENT }, NOW, (c) => `${urls.baseUrl}/Consent?_cursor=${c}`);
    expect(bundle.total).toBeUndefined(); // a page does not know how many match in all
    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      type: 'searchset',
      link: [
        { relation: 'self', url: urls.selfUrl },
        { relation: 'next', url: `https://hie.example.vn/fhir/Consent?_cursor=${CONSENT}` },
      ],
      entry: [{ fullUrl: `https://hie.example.vn/fhir/Consent/${CONSENT}`, resource: { id: CONSENT, meta: { versionId: '2' } }, search: { mode: 'match' } }],
    });
  });

  it('the patient parameter is a Patient reference or the bare id; anything else is refused naming it', () => {
    expect(patientParameter(`Patient/${PATIENT}`)).toBe(PATIENT);
    expect(patientParameter(PATIENT.toUpperCase())).toBe(PATIENT);
    for (const bad of [undefined, 'Patient/', 'Practitioner/1', '079185000123']) {
      expect(() => patientParameter(bad)).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field: 'patient' })] }));
    }
  });

  it('a search parameter given twice (an array from the query string) is a 422 naming it, never a crash', () => {
    const twice = [`Patient/${PATIENT}`, `Patient/${PATIENT}`];
    expect(() => patientParameter(twice)).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field: 'patient', rule: 'single' })] }));
    expect(() => countParameter(['1', '2'])).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field: '_count', rule: 'single' })] }));
    expect(() => cursorParameter([CONSENT, CONSENT])).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ field: '_cursor', rule: 'single' })] }));
  });
});
