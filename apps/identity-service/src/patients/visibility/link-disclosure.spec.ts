import { type Actor } from '../domain/actor';
import { type LinkRecord } from '../persistence/patient.repository';
import { disclosableLinks } from './link-disclosure';

const link = (facilityCode: string, localId: string): LinkRecord => ({
  id: `${facilityCode}-${localId}`,
  facilityCode,
  localId,
  patientId: 'p',
  originalPatientId: 'p',
});
const actor = (facilityCode: string | null, canCrossReference: boolean): Actor => ({
  subject: 'client',
  facilityCode,
  purposeOfUse: 'treatment',
  requestId: null,
  canCrossReference,
});
const links = [link('79001', 'A1'), link('79002', 'B7'), link('79099', 'HIV-3')];
const sensitiveFacilities = new Set(['79099']);

describe('disclosableLinks', () => {
  it('shows a facility only its own links without the cross-reference scope', () => {
    expect(disclosableLinks(links, { actor: actor('79001', false), sensitiveFacilities }).map((l) => l.localId)).toEqual(['A1']);
  });

  it('shows other facilities to a cross-reference caller but hides sensitive ones', () => {
    expect(disclosableLinks(links, { actor: actor('79001', true), sensitiveFacilities }).map((l) => l.localId)).toEqual(['A1', 'B7']);
  });

  it('shows a sensitive facility its own link', () => {
    expect(disclosableLinks(links, { actor: actor('79099', true), sensitiveFacilities }).map((l) => l.localId)).toEqual(['A1', 'B7', 'HIV-3']);
  });

  it('shows nothing to a caller with no facility and no scope', () => {
    expect(disclosableLinks(links, { actor: actor(null, false), sensitiveFacilities })).toEqual([]);
  });
});
