import { Injectable } from '@nestjs/common';
import { PatientUnmergedV1, SensitiveLinksUnmergedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent, type OutboxEvent } from '@lienthong/messaging';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { AuditTrail } from '../../ports/audit-trail.port';
import { MergeLog } from '../../ports/merge-log.port';
import { PatientStore } from '../../ports/patient-store.port';
import { reshareRecord } from '../shared-record';
import { SensitiveFacilities } from '../../ports/sensitive-facilities.port';
import { splitBySensitivity } from '../merge-patients/merge-patients.use-case';

export interface UnmergeResult {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly restoredId: string;
  readonly restoredLinks: readonly { facilityCode: string; localId: string }[];
}

/**
 * Undoes a merge: the merged patient becomes active again and gets back exactly the links and
 * identifiers that moved (those still on the survivor).
 *
 * Events mirror the merge's: the public `unmerged` (non-sensitive restored links only) exactly when
 * the merge published a public `merged` — public consumers that saw the merge see it undone, and
 * nobody else learns of a merge that was only about sensitive links; the restored sensitive links go
 * in one `sensitive-link.unmerged` on the restricted topic.
 */
@Injectable()
export class UnmergePatientsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly patients: PatientStore,
    private readonly merges: MergeLog,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxWriter,
    private readonly sensitive: SensitiveFacilities,
  ) {}

  async execute(actor: Actor, mergeId: string): Promise<UnmergeResult> {
    return this.uow.run(async (tx) => {
      const merge = await this.merges.lockForUndo(tx, mergeId);
      if (!merge) throw new IdentityError(IdentityErrorCode.MergeNotFound, `merge ${mergeId} not found`);
      if (merge.undoneAt !== null) throw new IdentityError(IdentityErrorCode.MergeConflict, 'this merge was already undone');
      const locked = await this.patients.lockPatients(tx, [merge.survivorId, merge.mergedId]);
      const restored = locked.find((p) => p.id === merge.mergedId);
      const survivor = locked.find((p) => p.id === merge.survivorId);
      if (!survivor || !restored || restored.status !== 'merged' || restored.mergedInto !== merge.survivorId) {
        throw new IdentityError(IdentityErrorCode.MergeConflict, 'the merged patient has changed since the merge');
      }
      const now = new Date();
      const back = new Set(await this.patients.linksStillOn(tx, merge.movedLinks.map((l) => l.linkId), merge.survivorId));
      const restoredLinks = merge.movedLinks.filter((l) => back.has(l.linkId));
      this.patients.moveLinks(tx, restoredLinks.map((l) => l.linkId), merge.mergedId, now);
      this.patients.moveIdentifiers(tx, merge.movedIdentifierIds, merge.mergedId, now, merge.survivorId);
      this.patients.setMerged(tx, merge.mergedId, null, now);
      this.merges.markUndone(tx, mergeId, now, actor.subject);
      const links = restoredLinks.map((l) => ({ facilityCode: l.facilityCode, localId: l.localId }));
      const sensitiveCodes = await this.sensitive.among(tx, merge.movedLinks.map((l) => l.facilityCode));
      const moved = splitBySensitivity(merge.movedLinks, sensitiveCodes);
      const { open, restricted } = splitBySensitivity(links, sensitiveCodes);
      const ids = { mergeId, survivorId: merge.survivorId, restoredId: merge.mergedId };
      // Each patient's record again comes from the source records of the links it now holds.
      for (const patient of [survivor, restored]) reshareRecord(this.patients, tx, patient, (await this.patients.stateOf(tx, patient.id)).sources, now);
      const events: OutboxEvent[] = [];
      if (moved.open.length > 0 || moved.restricted.length === 0) events.push(outboxEvent(PatientUnmergedV1, { ...ids, restoredLinks: open }));
      if (restricted.length > 0) events.push(outboxEvent(SensitiveLinksUnmergedV1, { ...ids, restoredLinks: restricted }));
      this.outbox.append(tx, events);
      this.audit.append(tx, actor, [
        { action: 'patient.unmerge', patientId: merge.survivorId, outcome: 'success', detail: { mergeId, role: 'survivor' } },
        { action: 'patient.unmerge', patientId: merge.mergedId, outcome: 'success', detail: { mergeId, role: 'restored' } },
      ]);
      return { ...ids, restoredLinks: links };
    });
  }
}
