import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { type ServiceActor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { type VisitDemographics, visitContext } from '../../domain/demographics';
import { DemographicsVault } from '../../ports/demographics-vault.port';
import { SubmissionStore, type VisitOutcome } from '../../ports/submission-store.port';
import { type ClaimedVisit, VisitStore } from '../../ports/visit-store.port';
import { INGEST_ACTION, NO_RESULTS, VisitSettlement } from '../visit-settlement';

/** Visits claimed per pass; a full batch means more may be due. */
export const PENDING_BATCH = 25;

export interface ResolvePass {
  readonly claimed: number;
  readonly outcomes: Readonly<Record<VisitOutcome, number>>;
}

/** The retry worker speaks as this service, for the facility that sent the visit (audit rows say both). */
export function workerActor(facilityCode: string): ServiceActor {
  return { kind: 'service', service: 'lab-results-service', subject: 'lab-results-service', scopes: [], purposeOfUse: 'treatment', actingForFacility: facilityCode };
}

/**
 * One pass of the retry worker (every replica runs it): claims the visits waiting for their patient
 * whose next attempt is due (SKIP LOCKED, leased for the call), asks identity for each and settles it
 * (VisitSettlement). Once identity is unavailable for one, the rest of the batch is put back for its
 * next attempt without a call: a down identity costs one deadline per pass, not one per visit.
 * Demographics that no longer open (the key was replaced without keeping the old one) reject the visit
 * with a reason asking for it to be sent again.
 */
@Injectable()
export class ResolvePendingVisitsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly visits: VisitStore,
    private readonly submissions: SubmissionStore,
    private readonly vault: DemographicsVault,
    private readonly settlement: VisitSettlement,
    private readonly audit: AuditTrail,
  ) {}

  async execute(limit = PENDING_BATCH, now = new Date()): Promise<ResolvePass> {
    const claimed = await this.uow.run((tx) => this.visits.claimDue(tx, now, this.settlement.leaseUntil(now), limit));
    const outcomes: Record<VisitOutcome, number> = { stored: 0, unchanged: 0, 'pending-patient': 0, rejected: 0 };
    let identityDown = false;
    for (const visit of claimed) {
      if (identityDown) {
        await this.uow.run(async (tx) => this.visits.retryLater(tx, visit.visitId, this.settlement.nextAttempt(new Date(), visit.attempts), 'not tried: identity unavailable in this pass', new Date()));
        outcomes['pending-patient'] += 1;
        continue;
      }
      const demographics = this.open(visit);
      if (demographics === undefined) {
        await this.rejectUnreadable(visit);
        outcomes.rejected += 1;
        continue;
      }
      const settled = await this.settlement.settle({
        visitId: visit.visitId,
        generation: visit.generation,
        facilityCode: visit.facilityCode,
        demographics,
        attempts: visit.attempts,
        actor: workerActor(visit.facilityCode),
        submissionId: null,
      });
      outcomes[settled.outcome] += 1;
      identityDown = settled.retry;
    }
    return { claimed: claimed.length, outcomes };
  }

  private open(visit: ClaimedVisit): VisitDemographics | undefined {
    try {
      return this.vault.open(visit.demographics, visitContext(visit.facilityCode, visit.maLk));
    } catch {
      return undefined;
    }
  }

  private rejectUnreadable(visit: ClaimedVisit): Promise<void> {
    const issue = { pointer: '/xml1', rule: 'demographics-unreadable', message: 'the patient data kept for this visit can no longer be decrypted: send the visit again', severity: 'error' as const };
    return this.uow.run(async (tx) => {
      const now = new Date();
      this.visits.markRejected(tx, visit.visitId, issue.rule, now);
      this.submissions.settle(tx, visit.visitId, 'rejected', NO_RESULTS, [issue]);
      this.audit.append(tx, workerActor(visit.facilityCode), [{ action: INGEST_ACTION, patientId: null, outcome: 'rejected', detail: { visitId: visit.visitId, rules: [issue.rule] } }]);
    });
  }
}
