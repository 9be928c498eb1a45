import { type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type AppliedMerge, MergeLog } from '../../ports/merge-log.port';

interface MergeRow {
  merge_id: string;
  survivor_id: string;
  merged_id: string;
  moved_result_ids: string[];
  unmerged_at: Date | null;
}

/**
 * `patient_merges`, and the one statement that moves stored results between patients
 * (`lab_results.enterprise_patient_id`, the ingest's table: the current holder of a result; its
 * versions keep whom each was recorded for).
 */
@Injectable()
export class MergeLogRepository extends MergeLog {
  async find(tx: Tx, mergeId: string): Promise<AppliedMerge | undefined> {
    const [row] = await tx.query<MergeRow>(
      `SELECT merge_id, survivor_id, merged_id, moved_result_ids::text[] AS moved_result_ids, unmerged_at
         FROM patient_merges WHERE merge_id = $1::uuid FOR UPDATE`,
      [mergeId],
    );
    if (!row) return undefined;
    return { mergeId: row.merge_id, survivorId: row.survivor_id, mergedId: row.merged_id, movedResultIds: row.moved_result_ids, unmergedAt: row.unmerged_at };
  }

  async resultsHeldBy(tx: Tx, enterprisePatientId: string): Promise<string[]> {
    const rows = await tx.query<{ result_id: string }>(
      `SELECT result_id FROM lab_results WHERE enterprise_patient_id = $1::uuid ORDER BY result_id FOR UPDATE`,
      [enterprisePatientId],
    );
    return rows.map((r) => r.result_id);
  }

  recordMerge(tx: Tx, merge: Omit<AppliedMerge, 'unmergedAt'>, at: Date): void {
    this.moveResults(tx, merge.movedResultIds, merge.survivorId);
    tx.write(
      (p) => `INSERT INTO patient_merges (merge_id, survivor_id, merged_id, moved_result_ids, merged_at, unmerged_at)
              VALUES (${p(merge.mergeId)}::uuid, ${p(merge.survivorId)}::uuid, ${p(merge.mergedId)}::uuid, ${p(merge.movedResultIds)}::uuid[], ${p(at)}, NULL)`,
    );
  }

  recordUnmerge(tx: Tx, merge: AppliedMerge, at: Date): void {
    this.moveResults(tx, merge.movedResultIds, merge.mergedId);
    tx.write((p) => `UPDATE patient_merges SET unmerged_at = ${p(at)} WHERE merge_id = ${p(merge.mergeId)}::uuid`);
  }

  /** The result now belongs to `to` (its versions keep the patient they were recorded for). */
  private moveResults(tx: Tx, resultIds: readonly string[], to: string): void {
    if (resultIds.length === 0) return;
    tx.write((p) => `UPDATE lab_results SET enterprise_patient_id = ${p(to)}::uuid WHERE result_id = ANY(${p(resultIds)}::uuid[])`);
  }
}
