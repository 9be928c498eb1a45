import { FACILITY_LEVELS, HISTORICAL_TIERS, IDENTIFIER_SYSTEMS } from '@lienthong/vn-standards';
import { parseEventData } from '../event-definition';
import { dlqTopicFor, Topics } from '../topics';
import {
  FacilityChangedV1,
  IDENTITY_PATIENT_EVENTS,
  IDENTITY_RESTRICTED_PATIENT_EVENTS,
  PatientRegisteredV1,
  SensitiveLinkRegisteredV1,
  SensitiveLinksMergedV1,
} from './identity.events';

const facility = {
  code: '01901',
  name: 'Bệnh viện Bạch Mai',
  provinceCode: '01',
  level: 'specialised',
  historicalTier: 'central',
  labQualityLevel: '5',
  iso15189Scope: [],
  sensitive: false,
  validFrom: '2024-01-01',
  validTo: null,
  version: 1,
};

const registered = {
  enterprisePatientId: '01920000-0000-7000-8000-000000000001',
  facilityCode: '79901',
  localId: 'BN-001',
  outcome: 'created',
  sex: 1,
  birthYear: 1987,
  provinceCode: '79',
  identifierSystems: ['cccd'],
};

const failedPaths = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    return (error as { issues: { path: string }[] }).issues.map((i) => i.path);
  }
  return [];
};

describe('identity events speak the vn-standards vocabulary', () => {
  it('accepts a facility code only in the MA_CSKCB shape: two province digits, then three characters', () => {
    expect(parseEventData(FacilityChangedV1, facility).code).toBe('01901');
    expect(parseEventData(FacilityChangedV1, { ...facility, code: '79A01' }).code).toBe('79A01');
    // The old contract let a letter lead; no facility code issued by the insurer does.
    expect(failedPaths(() => parseEventData(FacilityChangedV1, { ...facility, code: 'AB901' }))).toEqual(['code']);
    expect(failedPaths(() => parseEventData(PatientRegisteredV1, { ...registered, facilityCode: '7990' }))).toEqual(['facilityCode']);
  });

  it('accepts every identifier system vn-standards knows, and nothing else', () => {
    const all = parseEventData(PatientRegisteredV1, { ...registered, identifierSystems: [...IDENTIFIER_SYSTEMS] });
    expect(all.identifierSystems).toEqual(IDENTIFIER_SYSTEMS);
    expect(failedPaths(() => parseEventData(PatientRegisteredV1, { ...registered, identifierSystems: ['cmt'] }))).toEqual(['identifierSystems.0']);
  });

  it('accepts every facility level and historical tier vn-standards lists', () => {
    for (const level of FACILITY_LEVELS) expect(parseEventData(FacilityChangedV1, { ...facility, level }).level).toBe(level);
    for (const historicalTier of HISTORICAL_TIERS) {
      expect(parseEventData(FacilityChangedV1, { ...facility, historicalTier }).historicalTier).toBe(historicalTier);
    }
    expect(failedPaths(() => parseEventData(FacilityChangedV1, { ...facility, level: 'district' }))).toEqual(['level']);
  });

  it('keeps the lab quality level a string on the wire, as v1 was published', () => {
    for (const labQualityLevel of ['unrated', '1', '2', '3', '4', '5']) {
      expect(parseEventData(FacilityChangedV1, { ...facility, labQualityLevel }).labQualityLevel).toBe(labQualityLevel);
    }
    expect(failedPaths(() => parseEventData(FacilityChangedV1, { ...facility, labQualityLevel: 3 }))).toEqual(['labQualityLevel']);
    expect(failedPaths(() => parseEventData(FacilityChangedV1, { ...facility, labQualityLevel: '6' }))).toEqual(['labQualityLevel']);
  });

  it('accepts a 2-digit province code and refuses anything else', () => {
    expect(parseEventData(PatientRegisteredV1, { ...registered, provinceCode: null }).provinceCode).toBeNull();
    expect(failedPaths(() => parseEventData(PatientRegisteredV1, { ...registered, provinceCode: '079' }))).toEqual(['provinceCode']);
    expect(failedPaths(() => parseEventData(FacilityChangedV1, { ...facility, provinceCode: 'HN' }))).toEqual(['provinceCode']);
  });
});

describe('links to sensitive facilities travel on their own restricted topic', () => {
  it('gives them their own types, on a topic only identity-service writes and exchange-service reads', () => {
    const publicTypes = new Set(IDENTITY_PATIENT_EVENTS.map((d) => d.type));
    for (const d of IDENTITY_RESTRICTED_PATIENT_EVENTS) {
      expect(d.topic).toBe(Topics.identityPatientRestrictedV1);
      expect(publicTypes.has(d.type)).toBe(false);
    }
    for (const d of IDENTITY_PATIENT_EVENTS) expect(d.topic.restrictedTo).toBeUndefined();
    expect(Topics.identityPatientRestrictedV1.restrictedTo).toEqual({ producers: ['identity-service'], consumers: ['exchange-service'] });
    // Its dead letters carry the same payloads: same principals.
    expect(dlqTopicFor(Topics.identityPatientRestrictedV1).restrictedTo).toEqual(Topics.identityPatientRestrictedV1.restrictedTo);
  });

  it('keys them by enterprise patient id (the survivor for merges), like the public topic, so per-patient order holds on each', () => {
    const link = { enterprisePatientId: registered.enterprisePatientId, facilityCode: '01905', localId: 'HIV-1', outcome: 'created' };
    expect(SensitiveLinkRegisteredV1.keyOf(parseEventData(SensitiveLinkRegisteredV1, link))).toBe(registered.enterprisePatientId);
    const merged = { mergeId: '01920000-0000-7000-8000-0000000000aa', survivorId: registered.enterprisePatientId, mergedId: '01920000-0000-7000-8000-000000000002', movedLinks: [{ facilityCode: '01905', localId: 'HIV-1' }] };
    expect(SensitiveLinksMergedV1.keyOf(parseEventData(SensitiveLinksMergedV1, merged))).toBe(registered.enterprisePatientId);
    // A restricted merge event exists only to carry sensitive links: an empty one is a bug.
    expect(failedPaths(() => parseEventData(SensitiveLinksMergedV1, { ...merged, movedLinks: [] }))).toEqual(['movedLinks']);
  });
});
