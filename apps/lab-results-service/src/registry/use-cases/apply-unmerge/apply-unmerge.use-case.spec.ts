import { type Actor } from '@lienthong/platform';
import { LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { InMemoryMergeLog, InMemoryPatientLinks, RecordingAuditTrail, unusedTx } from '../../testing/registry-fakes';
import { ApplyMergeUseCase } from '../apply-merge/apply-merge.use-case';
import { ApplyUnmergeUseCase } from './apply-unmerge.use-case';

const SURVIVOR = '0190a0a0-0000-7000-8000-00000000000a';
const MERGED = '0190a0a0-0000-7000-8000-00000000000b';
const OTHER = '0190a0a0-0000-7000-8000-00000000000c';
const MERGE_ID = '0190a0a0-0000-7000-8000-0000000000f1';
const actor: Actor = { kind: 'service', subject: 'lab-results-service/identity-events', service: 'lab-results-service', scopes: [], purposeOfUse: 'treatment' };
const at = new Date('2026-03-01T00:00:00Z');
const links = [{ facilityCode: '79001', localId: 'BN-2' }];

describe('ApplyUnmergeUseCase', () => {
  const setup = async () => {
    const merges = new InMemoryMergeLog();
    const patients = new InMemoryPatientLinks();
    const audit = new RecordingAuditTrail();
    merges.results.set('r-1', MERGED).set('r-2', MERGED).set('r-3', SURVIVOR);
    patients.recordLink(unusedTx, { enterprisePatientId: MERGED, facilityCode: '79001', localId: 'BN-2' }, at);
    patients.recordLink(unusedTx, { enterprisePatientId: SURVIVOR, facilityCode: '79901', localId: 'CR-1' }, at);
    await new ApplyMergeUseCase(merges, patients, audit).execute({ mergeId: MERGE_ID, survivorId: SURVIVOR, mergedId: MERGED, movedLinks: links, mergedAt: at, actor }, unusedTx);
    audit.entries.length = 0;
    return { merges, patients, audit, useCase: new ApplyUnmergeUseCase(merges, patients, audit) };
  };
  const unmerge = { mergeId: MERGE_ID, survivorId: SURVIVOR, restoredId: MERGED, restoredLinks: links, unmergedAt: at, actor };

  it('gives back exactly the results the merge moved; one stored for the survivor since stays with it', async () => {
    const { merges, patients, useCase } = await setup();
    merges.results.set('r-9', SURVIVOR); // ingested for the survivor while merged
    expect(await useCase.execute(unmerge, unusedTx)).toEqual({ outcome: 'applied', restoredResults: 2 });
    expect(merges.resultsOf(MERGED)).toEqual(['r-1', 'r-2']);
    expect(merges.resultsOf(SURVIVOR)).toEqual(['r-3', 'r-9']);
    expect(patients.linksOf(MERGED)).toEqual(['79001/BN-2']);
    expect(patients.linksOf(SURVIVOR)).toEqual(['79901/CR-1']);
    expect(await patients.resolve(unusedTx, MERGED)).toBe(MERGED);
    expect(await patients.hasLink(unusedTx, MERGED, '79901')).toBe(false);
  });

  it('audits the unmerge for both patients, and applies it once', async () => {
    const { audit, useCase } = await setup();
    await useCase.execute(unmerge, unusedTx);
    expect(audit.entries).toEqual([
      { actor, action: 'patient.unmerge', patientId: SURVIVOR, outcome: 'ok', detail: { mergeId: MERGE_ID, results: 2, role: 'survivor' } },
      { actor, action: 'patient.unmerge', patientId: MERGED, outcome: 'ok', detail: { mergeId: MERGE_ID, results: 2, role: 'restored' } },
    ]);
    expect(await useCase.execute(unmerge, unusedTx)).toEqual({ outcome: 'already-undone' });
    expect(audit.entries).toHaveLength(2);
  });

  it('refuses an unknown merge, one naming other patients, or a self-unmerge, changing nothing', async () => {
    const { merges, useCase } = await setup();
    await expect(useCase.execute({ ...unmerge, mergeId: '0190a0a0-0000-7000-8000-0000000000f2' }, unusedTx)).rejects.toMatchObject({ code: LabResultErrorCode.InvalidMerge });
    await expect(useCase.execute({ ...unmerge, restoredId: OTHER }, unusedTx)).rejects.toMatchObject({ code: LabResultErrorCode.InvalidMerge });
    await expect(useCase.execute({ ...unmerge, restoredId: SURVIVOR }, unusedTx)).rejects.toMatchObject({ code: LabResultErrorCode.InvalidMerge });
    expect(merges.resultsOf(SURVIVOR)).toEqual(['r-1', 'r-2', 'r-3']);
  });
});
