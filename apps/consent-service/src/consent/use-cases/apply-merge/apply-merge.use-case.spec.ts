import { type Actor, auditActor } from '@lienthong/platform';
import { FakeTx } from '@lienthong/testing';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { InMemoryPatientDirectory, RecordingAuditTrail, RecordingChangeSignal } from '../../testing/consent-fakes';
import { InMemoryMergeLog } from '../../testing/identity-fakes';
import { ApplyMergeUseCase } from './apply-merge.use-case';

const SURVIVOR = '0190a0a0-0000-7000-8000-00000000000a';
const MERGED = '0190a0a0-0000-7000-8000-00000000000b';
const OTHER = '0190a0a0-0000-7000-8000-00000000000c';
const MERGE_ID = '0190a0a0-0000-7000-8000-0000000000f1';
const actor: Actor = { kind: 'service', subject: 'consent-service/identity-events', service: 'consent-service', scopes: [], purposeOfUse: 'treatment' };
const at = new Date('2026-03-01T00:00:00Z');

/** The transaction the inbox consumer hands the use case (the in-memory ports check it is live). */
const tx = new FakeTx();

describe('ApplyMergeUseCase', () => {
  const setup = () => {
    const merges = new InMemoryMergeLog();
    const patients = new InMemoryPatientDirectory();
    const signal = new RecordingChangeSignal();
    const audit = new RecordingAuditTrail();
    merges.consents.set('c-1', MERGED).set('c-2', MERGED).set('c-3', SURVIVOR).set('c-4', OTHER);
    patients.recordLink(tx, { enterprisePatientId: MERGED, facilityCode: '79001', localId: 'BN-2' }, at);
    patients.recordLink(tx, { enterprisePatientId: SURVIVOR, facilityCode: '01902', localId: 'TN-1' }, at);
    return { merges, patients, signal, audit, useCase: new ApplyMergeUseCase(merges, patients, signal, audit) };
  };
  const merge = { mergeId: MERGE_ID, survivorId: SURVIVOR, mergedId: MERGED, movedLinks: [{ facilityCode: '79001', localId: 'BN-2' }], mergedAt: at, actor };

  it("gives the merged patient's consents and links to the survivor, and remembers which consents moved", async () => {
    const { merges, patients, useCase } = setup();
    expect(await useCase.execute(merge, tx)).toEqual({ outcome: 'applied', movedConsents: 2 });
    expect(merges.consentsOf(SURVIVOR)).toEqual(['c-1', 'c-2', 'c-3']);
    expect(merges.consentsOf(MERGED)).toEqual([]);
    expect(merges.consentsOf(OTHER)).toEqual(['c-4']);
    expect(merges.merges.get(MERGE_ID)?.movedConsentIds).toEqual(['c-1', 'c-2']);
    expect(patients.linksOf(SURVIVOR)).toEqual(['01902/TN-1', '79001/BN-2']);
    expect(patients.patients.get(MERGED)?.mergedInto).toBe(SURVIVOR);
  });

  it('signals both patients and audits the merge for each without naming anything but ids and counts', async () => {
    const { signal, audit, useCase } = setup();
    await useCase.execute(merge, tx);
    expect(signal.signals).toEqual([[SURVIVOR, MERGED]]);
    expect(audit.rows).toEqual([
      { actor: auditActor(actor), action: 'consent.merge', patientId: SURVIVOR, outcome: 'ok', detail: { mergeId: MERGE_ID, consents: 2, role: 'survivor' } },
      { actor: auditActor(actor), action: 'consent.merge', patientId: MERGED, outcome: 'ok', detail: { mergeId: MERGE_ID, consents: 2, role: 'merged' } },
    ]);
  });

  it('applies a merge id once: the same merge announced again changes nothing', async () => {
    const { merges, signal, audit, useCase } = setup();
    await useCase.execute(merge, tx);
    merges.consents.set('c-5', MERGED); // recorded for the merged id after the merge
    expect(await useCase.execute(merge, tx)).toEqual({ outcome: 'already-applied' });
    expect(merges.merges.get(MERGE_ID)?.movedConsentIds).toEqual(['c-1', 'c-2']);
    expect(merges.consentsOf(MERGED)).toEqual(['c-5']);
    expect(signal.signals).toHaveLength(1);
    expect(audit.rows).toHaveLength(2);
  });

  it('refuses a patient merged into itself, or a known merge id naming other patients, changing nothing', async () => {
    const { merges, patients, signal, useCase } = setup();
    await expect(useCase.execute({ ...merge, survivorId: MERGED }, tx)).rejects.toEqual(expect.any(ConsentError));
    await expect(useCase.execute({ ...merge, survivorId: MERGED }, tx)).rejects.toMatchObject({ code: ConsentErrorCode.InvalidMerge });
    expect(merges.merges.size).toBe(0);
    expect(merges.consentsOf(MERGED)).toEqual(['c-1', 'c-2']);
    expect(patients.linksOf(MERGED)).toEqual(['79001/BN-2']);
    expect(signal.signals).toEqual([]);

    await useCase.execute(merge, tx);
    await expect(useCase.execute({ ...merge, survivorId: OTHER }, tx)).rejects.toMatchObject({ code: ConsentErrorCode.InvalidMerge });
    expect(merges.consentsOf(OTHER)).toEqual(['c-4']);
  });
});
