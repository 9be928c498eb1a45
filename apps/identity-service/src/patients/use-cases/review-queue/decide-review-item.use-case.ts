import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { AuditTrail } from '../../ports/audit-trail.port';
import { ReviewQueue } from '../../ports/review-queue.port';
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
    private readonly uow: UnitOfWork,
    private readonly reviews: ReviewQueue,
    private readonly merge: MergePatientsUseCase,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: Actor, reviewItemId: string, decision: ReviewDecision): Promise<ReviewDecisionResult> {
    return this.uow.run(async (tx) => {
      const item = await this.reviews.lockForDecision(tx, reviewItemId);
      if (!item) throw new IdentityError(IdentityErrorCode.ReviewItemNotFound, `review item ${reviewItemId} not found`);
      if (item.status !== 'open') throw new IdentityError(IdentityErrorCode.ReviewItemClosed, `review item is already ${item.status}`);
      const now = new Date();
      if (item.kind === 'conflict') {
        // One patient, not two: there is nothing to merge. The steward's decision is recorded; the
        // disputed values stay in the facility's source record and out of the shared record.
        const status = decision === 'confirm' ? 'confirmed' : 'rejected';
        this.reviews.close(tx, reviewItemId, { status, by: actor.subject, at: now, mergeId: null });
        this.audit.append(tx, actor, [{ action: `review.${decision}`, patientId: item.incomingPatientId, outcome: 'success', detail: { reviewItemId, kind: 'conflict' } }]);
        return { reviewItemId, status, enterprisePatientId: item.incomingPatientId, mergeId: null };
      }
      if (decision === 'reject') {
        this.reviews.close(tx, reviewItemId, { status: 'rejected', by: actor.subject, at: now, mergeId: null });
        this.audit.append(tx, actor, [
          { action: 'review.reject', patientId: item.incomingPatientId, outcome: 'success', detail: { reviewItemId } },
          { action: 'review.reject', patientId: item.candidatePatientId, outcome: 'success', detail: { reviewItemId } },
        ]);
        return { reviewItemId, status: 'rejected', enterprisePatientId: item.incomingPatientId, mergeId: null };
      }
      const merged = await this.merge.mergeIn(tx, { actor, survivorId: item.candidatePatientId, mergedId: item.incomingPatientId }, 'review-confirmed');
      this.reviews.close(tx, reviewItemId, { status: 'confirmed', by: actor.subject, at: now, mergeId: merged.mergeId });
      return { reviewItemId, status: 'confirmed', enterprisePatientId: item.candidatePatientId, mergeId: merged.mergeId };
    });
  }
}
