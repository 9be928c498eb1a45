import { type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type AppliedMerge, MergeLog } from '../../ports/merge-log.port';

interface MergeRow {
  merge_id: string;
  survivor_id: string;
  merged_id: string;
  moved_consent_ids: string[];
  unmerged_at: Date | null;
}

/** `patient_merges`, and the one statement that moves consents between patients (`consents.enterprise_patient_id`). */
@Injectable()
export class MergeLogRepository extends MergeLog {
  async find(tx: Tx, mergeId: string): Promise<AppliedMerge | undefined> {
    const [row] = await tx.query<MergeRow>(
      `SELECT merge_id, survivor_id, merged_id, moved_consent_ids::text[] AS moved_consent_ids, unmerged_at
         FROM patient_merges WHERE merge_id = $1::uuid FOR UPDATE`,
      [mergeId],
    );
    if (!row) return undefined;
    return { mergeId: row.merge_id, survivorId: row.survivor_id, mergedId: row.merged_id, movedConsentIds: row.moved_consent_ids, unmergedAt: row.unmerged_at };
  }

  async consentsHeldBy(tx: Tx, enterprisePatientId: string): Promise<string[]> {
    const rows = await tx.query<{ consent_id: string }>(
      `SELECT consent_id FROM consents WHERE enterprise_patient_id = $1::uuid ORDER BY consent_id FOR UPDATE`,
      [enterprisePatientId],
    );
    return rows.map((r) => r.consent_id);
  }

  recordMerge(tx: Tx, merge: Omit<AppliedMerge, 'unmergedAt'>, at: Date): void {
    this.moveConsents(tx, merge.movedConsentIds, merge.survivorId);
    tx.write(
      (p) => `INSERT INTO patient_merges (merge_id, survivor_id, merged_id, moved_consent_ids, merged_at, unmerged_at)
              VALUES (${p(merge.mergeId)}::uuid, ${p(merge.survivorId)}::uuid, ${p(merge.mergedId)}::uuid, ${p(merge.movedConsentIds)}::uuid[], ${p(at)}, NULL)`,
    );
  }

  recordUnmerge(tx: Tx, merge: AppliedMerge, at: Date): void {
    this.moveConsents(tx, merge.movedConsentIds, merge.mergedId);
    tx.write((p) => `UPDATE patient_merges SET unmerged_at = ${p(at)} WHERE merge_id = ${p(merge.mergeId)}::uuid`);
  }

  /** The consent now speaks for `to`; `original_patient_id` keeps whom it was recorded for. */
  private moveConsents(tx: Tx, consentIds: readonly string[], to: string): void {
    if (consentIds.length === 0) return;
    tx.write((p) => `UPDATE consents SET enterprise_patient_id = ${p(to)}::uuid WHERE consent_id = ANY(${p(consentIds)}::uuid[])`);
  }
}
