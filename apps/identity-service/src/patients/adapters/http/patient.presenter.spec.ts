import { type PatientView } from '../../domain/disclosure';
import { patientLocation, registrationStatus, restPatient } from './patient.presenter';

const view: PatientView = {
  enterprisePatientId: '0190d8e0-0000-7000-8000-000000000001',
  status: 'active',
  fullName: 'Nguyễn Thị Thu Hà',
  sex: 2,
  phone: '912345678',
  identifiers: [],
  links: [],
  sources: [],
};

describe('REST patient presentation', () => {
  it('shows the stored national phone number in E.164, and an E.164 one unchanged', () => {
    expect(restPatient(view).phone).toBe('+84912345678');
    expect(restPatient({ ...view, phone: '+842438251234' }).phone).toBe('+842438251234');
  });
  it("shows the caller's own source records' phones in E.164 too", () => {
    const source = { localId: 'SS-1', fullName: view.fullName, sex: 2 as const, cccdVerified: true, disputedFields: [], reportedAt: '2026-01-01T00:00:00.000Z' };
    const shown = restPatient({ ...view, sources: [{ ...source, phone: '0987654321' }, source] });
    expect(shown.sources).toEqual([{ ...source, phone: '+84987654321' }, source]);
  });
  it('leaves out a phone there is none of, and keeps everything else as the use case shaped it', () => {
    const { phone: _phone, ...withoutPhone } = view;
    expect(restPatient(withoutPhone)).toEqual(withoutPhone);
    expect(restPatient(view)).toEqual({ ...view, phone: '+84912345678' });
  });
  it('answers 201 for a new enterprise patient (created, review) and 200 for an existing one (linked, updated)', () => {
    expect([registrationStatus('created'), registrationStatus('review'), registrationStatus('linked'), registrationStatus('updated')]).toEqual([201, 201, 200, 200]);
    expect(patientLocation(view.enterprisePatientId)).toBe(`/v1/patients/${view.enterprisePatientId}`);
  });
});
