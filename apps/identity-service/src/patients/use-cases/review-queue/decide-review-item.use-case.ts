import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';
import { PatientError, PatientErrorCode } from '../../domain/patient-error';
import { PatientEventOutbox } from '../../domain/patient-event-outbox.port';
import { MergePatientsUseCase } from '../merge-patients/merge-patients.use-case';

export type ReviewDecision = 'confirm' | 'reject';

export interface ReviewDecisionResult {
  readonly reviewItemId: string;
  readonly status: 'confirmed' | 'rejected';
  /** On confirm: the patient that remains (the candidate). */
  readonly enterprisePatientId: string;
  readonly mergeId: string | null;
}

/**
 * A steward's decision on a probable duplicate. Confirm merges the newly created record into the
 * candidate (events: merged + linked/review-confirmed); reject leaves both patients as they are.
 */
@Injectable()
export class DecideReviewItemUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly merge: MergePatientsUseCase,
    private readonly outbox: PatientEventOutbox,
    private readonly audit: AuditWriter,
  ) {}

  async execute(actor: Actor, reviewItemId: string, decision: ReviewDecision): Promise<ReviewDecisionResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { status: string; incoming_patient_id: string; candidate_patient_id: string }[] = await manager.query(
        `SELECT status, incoming_patient_id, candidate_patient_id FROM review_items WHERE id = $1 FOR UPDATE`,
        [reviewItemId],
      );
      const item = rows[0];
      if (!item) throw new PatientError(PatientErrorCode.ReviewItemNotFound, `review item ${reviewItemId} not found`);
      if (item.status !== 'open') throw new PatientError(PatientErrorCode.ReviewItemClosed, `review item is already ${item.status}`);
      const now = new Date();
      if (decision === 'reject') {
        await manager.query(`UPDATE review_items SET status = 'rejected', decided_by = $2, decided_at = $3 WHERE id = $1`, [reviewItemId, actor.subject, now]);
        await this.audit.write(manager, actor, [
          { action: 'review.reject', patientId: item.incoming_patient_id, outcome: 'success', detail: { reviewItemId } },
          { action: 'review.reject', patientId: item.candidate_patient_id, outcome: 'success', detail: { reviewItemId } },
        ]);
        return { reviewItemId, status: 'rejected', enterprisePatientId: item.incoming_patient_id, mergeId: null };
      }
      const { result, events } = await this.merge.mergeIn(
        manager,
        { actor, survivorId: item.candidate_patient_id, mergedId: item.incoming_patient_id },
        'review-confirmed',
      );
      await this.outbox.append(manager, events);
      await manager.query(
        `UPDATE review_items SET status = 'confirmed', decided_by = $2, decided_at = $3, merge_id = $4 WHERE id = $1`,
        [reviewItemId, actor.subject, now, result.mergeId],
      );
      return { reviewItemId, status: 'confirmed', enterprisePatientId: item.candidate_patient_id, mergeId: result.mergeId };
    });
  }
}
