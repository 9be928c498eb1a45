import { FakeTx } from '@lienthong/testing';
import { InMemoryPatientDirectory, RecordingChangeSignal } from '../../testing/consent-fakes';
import { RecordPatientLinkUseCase } from './record-patient-link.use-case';

const P1 = '0190a0a0-0000-7000-8000-000000000001';
const P2 = '0190a0a0-0000-7000-8000-000000000002';
const SURVIVOR = '0190a0a0-0000-7000-8000-000000000003';
const at = new Date('2026-02-01T00:00:00Z');

/** The transaction the inbox consumer hands the use case (the in-memory ports check it is live). */
const tx = new FakeTx();

describe('RecordPatientLinkUseCase', () => {
  const setup = () => {
    const patients = new InMemoryPatientDirectory();
    const signal = new RecordingChangeSignal();
    return { patients, signal, useCase: new RecordPatientLinkUseCase(patients, signal) };
  };

  it('makes a registered patient known, with a care relationship at the facility, and signals its state', async () => {
    const { patients, signal, useCase } = setup();
    await useCase.execute({ enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', seenAt: at }, tx);
    expect(await patients.known(tx, [P1, P2])).toEqual(new Set([P1]));
    expect(patients.linksOf(P1)).toEqual(['79001/BN-1']);
    expect(signal.signals).toEqual([[P1]]);
  });

  it('applies the same link twice as once, and signals nothing the second time', async () => {
    const { patients, signal, useCase } = setup();
    const link = { enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', seenAt: at };
    await useCase.execute(link, tx);
    await useCase.execute(link, tx);
    expect(patients.linksOf(P1)).toEqual(['79001/BN-1']);
    expect(signal.signals).toEqual([[P1]]);
  });

  it('moves a link identity re-pointed at another patient, and signals both patients', async () => {
    const { patients, signal, useCase } = setup();
    await useCase.execute({ enterprisePatientId: P1, facilityCode: '79001', localId: 'BN-1', seenAt: at }, tx);
    await useCase.execute({ enterprisePatientId: P2, facilityCode: '79001', localId: 'BN-1', seenAt: at }, tx);
    expect(patients.linksOf(P1)).toEqual([]);
    expect(patients.linksOf(P2)).toEqual(['79001/BN-1']);
    expect(signal.signals.at(-1)).toEqual([P2, P1]);
  });

  it('gives a late link of a patient already merged away to its survivor', async () => {
    const { patients, useCase } = setup();
    patients.markMerged(tx, P1, SURVIVOR);
    await useCase.execute({ enterprisePatientId: P1, facilityCode: '01902', localId: 'TN-9', seenAt: at }, tx);
    expect(patients.linksOf(SURVIVOR)).toEqual(['01902/TN-9']);
    expect(patients.linksOf(P1)).toEqual([]);
  });
});
