import { SeenPatientsError, SeenPatientsErrorCode } from '../../domain/seen-patients-error';
import { InMemorySeenPatientRepository, unusedTx } from '../../testing/in-memory-seen-patient.repository';
import { MovePatientLinksUseCase } from './move-patient-links.use-case';

const SURVIVOR = '0190a0a0-0000-7000-8000-000000000001';
const MERGED = '0190a0a0-0000-7000-8000-000000000002';
const at = new Date('2026-02-01T00:00:00Z');

describe('MovePatientLinksUseCase', () => {
  const setup = () => {
    const patients = new InMemorySeenPatientRepository();
    patients.record(unusedTx, { enterprisePatientId: MERGED, facilityCode: '79001', localId: 'BN-2' }, new Date('2026-01-01T00:00:00Z'));
    patients.record(unusedTx, { enterprisePatientId: MERGED, facilityCode: '01902', localId: 'TN-2' }, new Date('2026-01-01T00:00:00Z'));
    return { patients, useCase: new MovePatientLinksUseCase(patients) };
  };

  it('moves only the listed links of the merged patient to the survivor', () => {
    const { patients, useCase } = setup();
    useCase.execute({ from: MERGED, to: SURVIVOR, links: [{ facilityCode: '79001', localId: 'BN-2' }], movedAt: at }, unusedTx);
    expect(patients.rows.get('79001/BN-2')).toMatchObject({ enterprisePatientId: SURVIVOR, sightings: 2, lastSeenAt: at });
    expect(patients.rows.get('01902/TN-2')).toMatchObject({ enterprisePatientId: MERGED, sightings: 1 });
  });

  it('refuses a move from a patient to the same patient, changing nothing', () => {
    const { patients, useCase } = setup();
    const before = new Map(patients.rows);
    const move = () => useCase.execute({ from: MERGED, to: MERGED, links: [{ facilityCode: '79001', localId: 'BN-2' }], movedAt: at }, unusedTx);
    expect(move).toThrow(SeenPatientsError);
    expect(move).toThrow(expect.objectContaining({ code: SeenPatientsErrorCode.SamePatient }));
    expect(patients.rows).toEqual(before);
  });
});
