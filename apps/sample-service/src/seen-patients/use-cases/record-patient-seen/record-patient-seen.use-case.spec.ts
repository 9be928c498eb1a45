import { InMemorySeenPatientRepository, unusedTx } from '../../testing/in-memory-seen-patient.repository';
import { RecordPatientSeenUseCase } from './record-patient-seen.use-case';

const P1 = '0190a0a0-0000-7000-8000-000000000001';
const P2 = '0190a0a0-0000-7000-8000-000000000002';

describe('RecordPatientSeenUseCase', () => {
  const setup = () => {
    const patients = new InMemorySeenPatientRepository();
    return { patients, useCase: new RecordPatientSeenUseCase(patients) };
  };

  it('remembers a new facility link with the time identity saw it', () => {
    const { patients, useCase } = setup();
    const seenAt = new Date('2026-01-02T03:04:05Z');
    useCase.execute({ enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', seenAt }, unusedTx);
    expect([...patients.rows.values()]).toEqual([{ enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', sightings: 1, firstSeenAt: seenAt, lastSeenAt: seenAt }]);
  });

  it('counts a second sighting of the same link and follows it to its current patient', () => {
    const { patients, useCase } = setup();
    useCase.execute({ enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', seenAt: new Date('2026-01-02T00:00:00Z') }, unusedTx);
    useCase.execute({ enterprisePatientId: P2, facilityCode: '79001', localId: 'BN-1', seenAt: new Date('2026-01-03T00:00:00Z') }, unusedTx);
    expect([...patients.rows.values()]).toMatchObject([
      { enterprisePatientId: P2, sightings: 2, firstSeenAt: new Date('2026-01-02T00:00:00Z'), lastSeenAt: new Date('2026-01-03T00:00:00Z') },
    ]);
  });
});
