import { type PatientView } from '../visibility/patient-view';
import { localIdSystem, parseSystemUri, toFhirPatient } from './patient-fhir.mapper';

const view: PatientView = {
  enterprisePatientId: '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e0f',
  status: 'active',
  fullName: 'Nguyễn Thị Thu Hà',
  birthDate: '1985-03',
  sex: 2,
  address: { provinceCode: '79', communeCode: '26734', line: '12 Lê Lợi' },
  phone: '912345678',
  identifiers: [
    { system: 'cccd', status: 'active', value: '079185000123' },
    { system: 'bhyt', status: 'active' },
  ],
  links: [{ facilityCode: '79001', localId: 'BN-1' }],
};

describe('toFhirPatient', () => {
  it('maps demographics in Vietnamese name order with partial birth date', () => {
    const p = toFhirPatient(view);
    expect(p.name?.[0]).toEqual({ use: 'official', text: 'Nguyễn Thị Thu Hà', family: 'Nguyễn', given: ['Thị', 'Thu', 'Hà'] });
    expect(p.birthDate).toBe('1985-03');
    expect(p.gender).toBe('female');
    expect(p.telecom).toEqual([{ system: 'phone', value: '+84912345678' }]);
    expect(p.address?.[0]).toMatchObject({ state: '79', city: '26734', country: 'VN' });
  });

  it('emits only identifier values the caller may see, plus local ids', () => {
    const p = toFhirPatient(view);
    expect(p.identifier).toEqual([
      { system: 'https://lienthong.vn/fhir/sid/cccd', value: '079185000123' },
      { system: localIdSystem('79001'), value: 'BN-1', use: 'usual' },
    ]);
  });

  it('marks a redirected read with a replaces link', () => {
    expect(toFhirPatient({ ...view, redirectedFrom: 'old-id' }).link).toEqual([{ other: { reference: 'Patient/old-id' }, type: 'replaces' }]);
  });
});

describe('parseSystemUri', () => {
  it('recognises identifier and local-id systems', () => {
    expect(parseSystemUri('https://lienthong.vn/fhir/sid/cccd')).toEqual({ kind: 'identifier', system: 'cccd' });
    expect(parseSystemUri('https://lienthong.vn/fhir/sid/local/79001')).toEqual({ kind: 'local', facilityCode: '79001' });
    expect(parseSystemUri('urn:oid:1.2.3')).toBeUndefined();
  });
});
