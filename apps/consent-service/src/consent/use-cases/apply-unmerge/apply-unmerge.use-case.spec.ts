import { type Actor } from '@lienthong/platform';
import { FakeTx } from '@lienthong/testing';
import { ConsentErrorCode } from '../../domain/consent-error';
import { InMemoryPatientDirectory, RecordingAuditTrail, RecordingChangeSignal } from '../../testing/consent-fakes';
import { InMemoryMergeLog } from '../../testing/identity-fakes';
import { ApplyMergeUseCase } from '../apply-merge/apply-merge.use-case';
import { ApplyUnmergeUseCase } from './apply-unmerge.use-case';

const SURVIVOR = '0190a0a0-0000-7000-8000-00000000000a';
const MERGED = '0190a0a0-0000-7000-8000-00000000000b';
const OTHER = '0190a0a0-0000-7000-8000-00000000000c';
const MERGE_ID = '0190a0a0-0000-7000-8000-0000000000f1';
const actor: Actor = { kind: 'service', subject: 'consent-service/identity-events', service: 'consent-service', scopes: [], purposeOfUse: 'treatment' };
const at = new Date('2026-03-01T00:00:00Z');
const later = new Date('2026-03-02T00:00:00Z');

/** The transaction the inbox consumer hands the use case (the in-memory ports check it is live). */
const tx = new FakeTx();

describe('ApplyUnmergeUseCase', () => {
  /** B's consents c-1 and c-2 merged into A; A already held c-3. */
  const merged = async () => {
    const merges = new InMemoryMergeLog();
    const patients = new InMemoryPatientDirectory();
    const signal = new RecordingChangeSignal();
    const audit = new RecordingAuditTrail();
    merges.consents.set('c-1', MERGED).set('c-2', MERGED).set('c-3', SURVIVOR);
    patients.recordLink(tx, { enterprisePatientId: MERGED, facilityCode: '79001', localId: 'BN-2' }, at);
    const links = [{ facilityCode: '79001', localId: 'BN-2' }];
    await new ApplyMergeUseCase(merges, patients, signal, audit).execute({ mergeId: MERGE_ID, survivorId: SURVIVOR, mergedId: MERGED, movedLinks: links, mergedAt: at, actor }, tx);
    signal.signals.length = 0;
    audit.rows.length = 0;
    const unmerge = { mergeId: MERGE_ID, survivorId: SURVIVOR, restoredId: MERGED, restoredLinks: links, unmergedAt: later, actor };
    return { merges, patients, signal, audit, unmerge, useCase: new ApplyUnmergeUseCase(merges, patients, signal, audit) };
  };

  it('gives back exactly the consents the merge moved: one recorded for the survivor since stays with it', async () => {
    const { merges, patients, useCase, unmerge } = await merged();
    merges.consents.set('c-9', SURVIVOR); // recorded for A after the merge
    expect(await useCase.execute(unmerge, tx)).toEqual({ outcome: 'applied', restoredConsents: 2 });
    expect(merges.consentsOf(MERGED)).toEqual(['c-1', 'c-2']);
    expect(merges.consentsOf(SURVIVOR)).toEqual(['c-3', 'c-9']);
    expect(patients.linksOf(MERGED)).toEqual(['79001/BN-2']);
    expect(patients.patients.get(MERGED)?.mergedInto).toBeNull();
    expect(merges.merges.get(MERGE_ID)?.unmergedAt).toEqual(later);
  });

  it('signals both patients and audits the unmerge for each', async () => {
    const { signal, audit, useCase, unmerge } = await merged();
    await useCase.execute(unmerge, tx);
    expect(signal.signals).toEqual([[SURVIVOR, MERGED]]);
    expect(audit.rows.map((e) => [e.action, e.patientId, e.detail])).toEqual([
      ['consent.unmerge', SURVIVOR, { mergeId: MERGE_ID, consents: 2, role: 'survivor' }],
      ['consent.unmerge', MERGED, { mergeId: MERGE_ID, consents: 2, role: 'restored' }],
    ]);
  });

  it('undoes a merge once: announced again, it changes nothing', async () => {
    const { merges, signal, useCase, unmerge } = await merged();
    await useCase.execute(unmerge, tx);
    merges.consents.set('c-1', SURVIVOR); // say the patients were merged again under another id since
    expect(await useCase.execute(unmerge, tx)).toEqual({ outcome: 'already-undone' });
    expect(merges.consentsOf(SURVIVOR)).toContain('c-1');
    expect(signal.signals).toHaveLength(1);
  });

  it('refuses an unknown merge id, one naming other patients, or a patient unmerged from itself, changing nothing', async () => {
    const { merges, signal, useCase, unmerge } = await merged();
    for (const bad of [
      { ...unmerge, mergeId: '0190a0a0-0000-7000-8000-0000000000f2' },
      { ...unmerge, restoredId: OTHER },
      { ...unmerge, restoredId: SURVIVOR },
    ]) {
      await expect(useCase.execute(bad, tx)).rejects.toMatchObject({ name: 'ConsentError', code: ConsentErrorCode.InvalidMerge });
    }
    expect(merges.consentsOf(SURVIVOR)).toEqual(['c-1', 'c-2', 'c-3']);
    expect(merges.merges.get(MERGE_ID)?.unmergedAt).toBeNull();
    expect(signal.signals).toEqual([]);
  });
});
