import { disclosableLinks, patientView, type Viewer } from './disclosure';
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
  };

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
