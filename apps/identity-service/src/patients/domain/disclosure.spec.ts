import { disclosableLinks, hiddenAuditFacilities, mayDisclosePatient, patientView, type Viewer } from './disclosure';
import { type LinkRecord, type PatientFacts } from './patient';

const link = (facilityCode: string, localId: string): LinkRecord => ({ id: `${facilityCode}-${localId}`, facilityCode, localId, patientId: 'p', originalPatientId: 'p' });
const viewer = (facilityCode: string | undefined, canCrossReference: boolean): Viewer => ({ facilityCode, canCrossReference });
const links = [link('79001', 'A1'), link('79002', 'B7'), link('79099', 'HIV-3')];
const sensitive = new Set(['79099']);
const localIds = (v: Viewer) => disclosableLinks(links, v, sensitive).map((l) => l.localId);

describe('disclosableLinks', () => {
  it('shows a facility only its own links without the cross-reference scope', () => {
    expect(localIds(viewer('79001', false))).toEqual(['A1']);
  });

  it('shows other facilities to a cross-reference caller but hides sensitive ones', () => {
    expect(localIds(viewer('79001', true))).toEqual(['A1', 'B7']);
  });

  it('shows a sensitive facility its own link', () => {
    expect(localIds(viewer('79099', true))).toEqual(['A1', 'B7', 'HIV-3']);
  });

  it('shows nothing to a caller that speaks for no facility and has no scope', () => {
    expect(localIds(viewer(undefined, false))).toEqual([]);
  });
});

describe('mayDisclosePatient (the one rule of every read path)', () => {
  const onlyAtHivClinic = [link('79099', 'HIV-3')];
  it.each([
    ['a facility holding a link', viewer('79001', false), links, true],
    ['a facility with no link and no scope', viewer('79003', false), links, false],
    ['a facility with no link but the cross-reference scope', viewer('79003', true), links, true],
    ['a cross-reference caller, patient seen only at a sensitive facility', viewer('79003', true), onlyAtHivClinic, false],
    ['the sensitive facility itself', viewer('79099', false), onlyAtHivClinic, true],
    ['a person without the scope', viewer(undefined, false), links, false],
    ['a person with the scope', viewer(undefined, true), links, true],
  ] as const)('%s → %s', (_who, v, patientLinks, expected) => {
    expect(mayDisclosePatient(patientLinks, v, sensitive)).toBe(expected);
  });
});

describe('hiddenAuditFacilities', () => {
  it('hides entries of every sensitive facility but the caller itself', () => {
    expect(hiddenAuditFacilities(['79001', '79099', '79099'], viewer('79001', true), sensitive)).toEqual(['79099']);
    expect(hiddenAuditFacilities(['79001', '79099'], viewer('79099', false), sensitive)).toEqual([]);
    expect(hiddenAuditFacilities(['79001', '79099'], viewer(undefined, true), sensitive)).toEqual(['79099']);
  });
});

describe('patientView', () => {
  const facts: PatientFacts = {
    patient: {
      id: 'p', status: 'active', mergedInto: null, fullName: 'Nguyễn Thị Lan', nameFolded: 'nguyen thi lan', birthDate: { year: 1990 },
      sex: 2, provinceCode: '79', communeCode: undefined, addressLine: undefined, phone: undefined, createdAt: new Date(0), updatedAt: new Date(0), version: 1,
    },
    identifiers: [
      { id: 'i1', patientId: 'p', system: 'cccd', encrypted: { ciphertext: Buffer.alloc(0), keyId: 'k' }, blindIndex: Buffer.alloc(0), status: 'active', sourceFacility: '79001', flags: [] },
    ],
    links,
    sources: [
      {
        linkId: '79001-A1', facilityCode: '79001', localId: 'A1', cccdVerified: true, disputedFields: [], reportedAt: new Date(0), facilityLevel: 'specialised',
        demographics: { fullName: 'Nguyễn Thị Lan', nameFolded: 'nguyen thi lan', birthDate: { year: 1990 }, sex: 2, provinceCode: '79', communeCode: undefined, addressLine: undefined, phone: undefined },
      },
      {
        linkId: '79002-B7', facilityCode: '79002', localId: 'B7', cccdVerified: false, disputedFields: ['name'], reportedAt: new Date(0), facilityLevel: 'basic',
        demographics: { fullName: 'Nguyễn Lan', nameFolded: 'nguyen lan', birthDate: undefined, sex: 2, provinceCode: undefined, communeCode: undefined, addressLine: undefined, phone: '912345678' },
      },
    ],
  };

  it('shows a facility its own source records only', () => {
    expect(patientView(facts, viewer('79002', true), sensitive, () => '').sources).toEqual([
      { localId: 'B7', fullName: 'Nguyễn Lan', sex: 2, phone: '912345678', cccdVerified: false, disputedFields: ['name'], reportedAt: '1970-01-01T00:00:00.000Z' },
    ]);
    expect(patientView(facts, viewer('79003', true), sensitive, () => '').sources).toEqual([]);
    expect(patientView(facts, viewer(undefined, true), sensitive, () => '').sources).toEqual([]);
  });

  it('reveals an identifier value only to the facility that reported it', () => {
    const reveal = () => '079190000001';
    expect(patientView(facts, viewer('79001', false), sensitive, reveal).identifiers).toEqual([{ system: 'cccd', status: 'active', value: '079190000001' }]);
    expect(patientView(facts, viewer('79002', true), sensitive, reveal).identifiers).toEqual([{ system: 'cccd', status: 'active' }]);
  });

  it('renders partial birth dates and leaves out what is unknown', () => {
    const view = patientView(facts, viewer('79001', false), sensitive, () => '');
    expect(view).toMatchObject({ birthDate: '1990', address: { provinceCode: '79' } });
    expect(view).not.toHaveProperty('phone');
  });
});
