import { type Actor } from '@lienthong/platform';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { InMemoryMergeLog, InMemoryPatientLinks, RecordingAuditTrail, unusedTx } from '../../testing/registry-fakes';
import { ApplyMergeUseCase } from './apply-merge.use-case';

const SURVIVOR = '0190a0a0-0000-7000-8000-00000000000a';
const MERGED = '0190a0a0-0000-7000-8000-00000000000b';
const OTHER = '0190a0a0-0000-7000-8000-00000000000c';
const MERGE_ID = '0190a0a0-0000-7000-8000-0000000000f1';
const actor: Actor = { kind: 'service', subject: 'lab-results-service/identity-events', service: 'lab-results-service', scopes: [], purposeOfUse: 'treatment' };
const at = new Date('2026-03-01T00:00:00Z');

describe('ApplyMergeUseCase', () => {
  const setup = () => {
    const merges = new InMemoryMergeLog();
    const patients = new InMemoryPatientLinks();
    const audit = new RecordingAuditTrail();
    merges.results.set('r-1', MERGED).set('r-2', MERGED).set('r-3', SURVIVOR).set('r-4', OTHER);
    patients.recordLink(unusedTx, { enterprisePatientId: MERGED, facilityCode: '79001', localId: 'BN-2' }, at);
    patients.recordLink(unusedTx, { enterprisePatientId: SURVIVOR, facilityCode: '79901', localId: 'CR-1' }, at);
    return { merges, patients, audit, useCase: new ApplyMergeUseCase(merges, patients, audit) };
  };
  const merge = { mergeId: MERGE_ID, survivorId: SURVIVOR, mergedId: MERGED, movedLinks: [{ facilityCode: '79001', localId: 'BN-2' }], mergedAt: at, actor };

  it("gives the merged patient's results and links to the survivor, and remembers which results moved", async () => {
    const { merges, patients, useCase } = setup();
    expect(await useCase.execute(merge, unusedTx)).toEqual({ outcome: 'applied', movedResults: 2 });
    expect(merges.resultsOf(SURVIVOR)).toEqual(['r-1', 'r-2', 'r-3']);
    expect(merges.resultsOf(MERGED)).toEqual([]);
    expect(merges.resultsOf(OTHER)).toEqual(['r-4']);
    expect(merges.merges.get(MERGE_ID)?.movedResultIds).toEqual(['r-1', 'r-2']);
    expect(patients.linksOf(SURVIVOR)).toEqual(['79001/BN-2', '79901/CR-1']);
    // A reuse check asked with the merged id finds the survivor, and its links.
    expect(await patients.resolve(unusedTx, MERGED)).toBe(SURVIVOR);
    expect(await patients.hasLink(unusedTx, MERGED, '79901')).toBe(true);
  });

  it('audits the merge for each patient with ids and counts only', async () => {
    const { audit, useCase } = setup();
    await useCase.execute(merge, unusedTx);
    expect(audit.entries).toEqual([
      { actor, action: 'patient.merge', patientId: SURVIVOR, outcome: 'ok', detail: { mergeId: MERGE_ID, results: 2, role: 'survivor' } },
      { actor, action: 'patient.merge', patientId: MERGED, outcome: 'ok', detail: { mergeId: MERGE_ID, results: 2, role: 'merged' } },
    ]);
  });

  it('applies a merge id once: the same merge announced again changes nothing', async () => {
    const { merges, audit, useCase } = setup();
    await useCase.execute(merge, unusedTx);
    merges.results.set('r-5', MERGED); // stored for the merged id after the merge
    expect(await useCase.execute(merge, unusedTx)).toEqual({ outcome: 'already-applied' });
    expect(merges.merges.get(MERGE_ID)?.movedResultIds).toEqual(['r-1', 'r-2']);
    expect(merges.resultsOf(MERGED)).toEqual(['r-5']);
    expect(audit.entries).toHaveLength(2);
  });

  it('refuses a patient merged into itself, or a known merge id naming other patients, changing nothing', async () => {
    const { merges, patients, audit, useCase } = setup();
    await expect(useCase.execute({ ...merge, survivorId: MERGED }, unusedTx)).rejects.toEqual(expect.any(LabResultError));
    await expect(useCase.execute({ ...merge, survivorId: MERGED }, unusedTx)).rejects.toMatchObject({ code: LabResultErrorCode.InvalidMerge });
    expect(merges.merges.size).toBe(0);
    expect(merges.resultsOf(MERGED)).toEqual(['r-1', 'r-2']);
    expect(patients.linksOf(MERGED)).toEqual(['79001/BN-2']);
    expect(audit.entries).toEqual([]);

    await useCase.execute(merge, unusedTx);
    await expect(useCase.execute({ ...merge, survivorId: OTHER }, unusedTx)).rejects.toMatchObject({ code: LabResultErrorCode.InvalidMerge });
    expect(merges.resultsOf(OTHER)).toEqual(['r-4']);
  });
});
