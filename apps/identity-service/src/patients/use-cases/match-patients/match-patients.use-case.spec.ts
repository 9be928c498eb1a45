import { facilityActor } from '../../../../test/actors';
import { HA_BHYT, HA_CCCD, nguyenThiThuHa, patientKit, seedPatient, type PatientKit } from '../../../../test/fakes/identity-kit.fake';
import { IdentityErrorCode } from '../../../domain/identity-error';

const BACH_MAI = '01901';
const THANH_NHAN = '01925';
const HIV_CLINIC = '01950';

/** What $match receives: the registration shape without a local id. */
function query(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const { localId: _localId, ...demographics } = nguyenThiThuHa({ identifiers: [] });
  return { ...demographics, ...patch };
}

describe('MatchPatientsUseCase ($match)', () => {
  let kit: PatientKit;
  let id: string;
  const caller = () => facilityActor(THANH_NHAN, { crossRef: true });

  beforeEach(async () => {
    kit = patientKit({ sensitive: [HIV_CLINIC] });
    id = await seedPatient(kit, BACH_MAI, nguyenThiThuHa({ identifiers: [{ system: 'cccd', value: HA_CCCD }, { system: 'bhyt', value: HA_BHYT }] }));
  });

  it('needs the cross-reference scope', async () => {
    await expect(kit.match.execute(facilityActor(THANH_NHAN), query(), false)).rejects.toMatchObject({ code: IdentityErrorCode.CrossFacilityForbidden });
  });

  it('grades an exact active CCCD as certain', async () => {
    const [match, ...rest] = await kit.match.execute(caller(), query({ identifiers: [{ system: 'cccd', value: HA_CCCD }] }), false);
    expect(rest).toEqual([]);
    expect(match).toMatchObject({ grade: 'certain', weight: Number.POSITIVE_INFINITY, view: { enterprisePatientId: id, links: [{ facilityCode: BACH_MAI, localId: 'BM-0001' }] } });
  });

  it('grades what the matcher would link as probable, and what it would review as possible', async () => {
    const probable = await kit.match.execute(caller(), query({ identifiers: [{ system: 'bhyt', value: HA_BHYT }] }), false);
    expect(probable.map((m) => [m.view.enterprisePatientId, m.grade])).toEqual([[id, 'probable']]);

    const possible = await kit.match.execute(caller(), query({ fullName: 'Nguyễn Thị Thu Haf' }), false);
    expect(possible.map((m) => [m.view.enterprisePatientId, m.grade])).toEqual([[id, 'possible']]);
    expect(possible[0]?.weight).toBeGreaterThan(0);
  });

  it('returns certain matches only when asked for them only', async () => {
    await expect(kit.match.execute(caller(), query({ identifiers: [{ system: 'bhyt', value: HA_BHYT }] }), true)).resolves.toEqual([]);
    expect(kit.audit.rows).toMatchObject([{ action: 'patient.match', patientId: null, outcome: 'not-found' }]);
  });

  it('never returns a patient known only at a sensitive facility', async () => {
    const other = '079190000123';
    await seedPatient(kit, HIV_CLINIC, { localId: 'OPC-10', fullName: 'Trần Văn Bình', birthDate: '1990', sex: 1, identifiers: [{ system: 'cccd', value: other }] });

    const binh = { fullName: 'Trần Văn Bình', birthDate: '1990', sex: 1, identifiers: [{ system: 'cccd', value: other }] };
    await expect(kit.match.execute(caller(), binh, false)).resolves.toEqual([]);
    await expect(kit.match.execute(facilityActor(HIV_CLINIC, { crossRef: true }), binh, false)).resolves.toMatchObject([{ grade: 'certain' }]);
  });

  it('audits one row per patient returned, with its grade', async () => {
    await kit.match.execute(caller(), query({ identifiers: [{ system: 'cccd', value: HA_CCCD }] }), false);
    expect(kit.audit.rows).toMatchObject([{ action: 'patient.match', patientId: id, outcome: 'success', facilityCode: THANH_NHAN, detail: { grade: 'certain' } }]);
  });

  it('refuses invalid demographics before reading anything', async () => {
    await expect(kit.match.execute(caller(), query({ identifiers: [{ system: 'cccd', value: '12345' }] }), false)).rejects.toMatchObject({ code: IdentityErrorCode.Validation });
    expect(kit.uow.committed).toEqual([]);
  });
});
