import { Injectable } from '@nestjs/common';
import { PatientUnmergedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent } from '@lienthong/messaging';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { AuditTrail } from '../../ports/audit-trail.port';
import { MergeLog } from '../../ports/merge-log.port';
import { PatientStore } from '../../ports/patient-store.port';

export interface UnmergeResult {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly restoredId: string;
  readonly restoredLinks: readonly { facilityCode: string; localId: string }[];
}

/**
 * Undoes a merge: the merged patient becomes active again and gets back exactly the links and
 * identifiers that moved (those still on the survivor). One `unmerged` event.
 */
@Injectable()
export class UnmergePatientsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly patients: PatientStore,
    private readonly merges: MergeLog,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(actor: Actor, mergeId: string): Promise<UnmergeResult> {
    return this.uow.run(async (tx) => {
      const merge = await this.merges.lockForUndo(tx, mergeId);
      if (!merge) throw new IdentityError(IdentityErrorCode.MergeNotFound, `merge ${mergeId} not found`);
      if (merge.undoneAt !== null) throw new IdentityError(IdentityErrorCode.MergeConflict, 'this merge was already undone');
      const locked = await this.patients.lockPatients(tx, [merge.survivorId, merge.mergedId]);
      const restored = locked.find((p) => p.id === merge.mergedId);
      if (!restored || restored.status !== 'merged' || restored.mergedInto !== merge.survivorId) {
        throw new IdentityError(IdentityErrorCode.MergeConflict, 'the merged patient has changed since the merge');
      }
      const now = new Date();
      const back = new Set(await this.patients.linksStillOn(tx, merge.movedLinks.map((l) => l.linkId), merge.survivorId));
      const restoredLinks = merge.movedLinks.filter((l) => back.has(l.linkId));
      this.patients.moveLinks(tx, restoredLinks.map((l) => l.linkId), merge.mergedId, now);
      this.patients.moveIdentifiers(tx, merge.movedIdentifierIds, merge.mergedId, now, merge.survivorId);
      this.patients.setMerged(tx, merge.mergedId, null, now);
      this.merges.markUndone(tx, mergeId, now, actor.subject);
      const publicLinks = restoredLinks.map((l) => ({ facilityCode: l.facilityCode, localId: l.localId }));
      this.outbox.append(tx, [outboxEvent(PatientUnmergedV1, { mergeId, survivorId: merge.survivorId, restoredId: merge.mergedId, restoredLinks: publicLinks })]);
      this.audit.append(tx, actor, [
        { action: 'patient.unmerge', patientId: merge.survivorId, outcome: 'success', detail: { mergeId, role: 'survivor' } },
        { action: 'patient.unmerge', patientId: merge.mergedId, outcome: 'success', detail: { mergeId, role: 'restored' } },
      ]);
      return { mergeId, survivorId: merge.survivorId, restoredId: merge.mergedId, restoredLinks: publicLinks };
    });
  }
}
