import { InMemoryPatientLinks, unusedTx } from '../../testing/registry-fakes';
import { RecordPatientLinkUseCase } from './record-patient-link.use-case';

const P1 = '0190a0a0-0000-7000-8000-000000000001';
const P2 = '0190a0a0-0000-7000-8000-000000000002';
const SURVIVOR = '0190a0a0-0000-7000-8000-00000000000a';
const at = new Date('2026-03-01T00:00:00Z');

describe('RecordPatientLinkUseCase', () => {
  const setup = () => {
    const patients = new InMemoryPatientLinks();
    return { patients, useCase: new RecordPatientLinkUseCase(patients) };
  };

  it('knows the patient from its first registration, and each facility it is registered at has a link', async () => {
    const { patients, useCase } = setup();
    await useCase.execute({ enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', seenAt: at }, unusedTx);
    await useCase.execute({ enterprisePatientId: P1, facilityCode: '79901', localId: 'CR-9', seenAt: at }, unusedTx);
    expect(await patients.known(unusedTx, [P1, P2])).toEqual(new Set([P1]));
    expect(await patients.hasLink(unusedTx, P1, '79901')).toBe(true);
    expect(await patients.hasLink(unusedTx, P1, '01901')).toBe(false);
    expect(await patients.findByLocalId(unusedTx, { facilityCode: '79001', localId: 'BN-1' })).toBe(P1);
  });

  it("follows identity when it re-points a facility's local id at another patient", async () => {
    const { patients, useCase } = setup();
    await useCase.execute({ enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', seenAt: at }, unusedTx);
    await useCase.execute({ enterprisePatientId: P2, facilityCode: '79001', localId: 'BN-1', seenAt: at }, unusedTx);
    expect(patients.linksOf(P2)).toEqual(['79001/BN-1']);
    expect(patients.linksOf(P1)).toEqual([]);
  });

  it('gives a link of a patient already merged away to its survivor (events of the two may be read in either order)', async () => {
    const { patients, useCase } = setup();
    patients.markMerged(unusedTx, P1, SURVIVOR);
    await useCase.execute({ enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', seenAt: at }, unusedTx);
    expect(patients.linksOf(SURVIVOR)).toEqual(['79001/BN-1']);
    expect(await patients.hasLink(unusedTx, P1, '79001')).toBe(true);
    expect(await patients.resolve(unusedTx, P1)).toBe(SURVIVOR);
  });
});
