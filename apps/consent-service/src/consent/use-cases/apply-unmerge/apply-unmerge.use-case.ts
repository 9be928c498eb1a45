import { AuditTrail, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { ConsentChangeSignal } from '../../ports/consent-change-signal.port';
import { MergeLog } from '../../ports/merge-log.port';
import { PatientDirectory } from '../../ports/patient-directory.port';

export interface ApplyUnmergeCommand {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly restoredId: string;
  /** The links identity gave back to the restored patient. */
  readonly restoredLinks: readonly { readonly facilityCode: string; readonly localId: string }[];
  readonly unmergedAt: Date;
  /** Who applies it, for the audit trail (consent-service itself, on identity's word). */
  readonly actor: Actor;
}

export type ApplyUnmergeResult = { readonly outcome: 'applied'; readonly restoredConsents: number } | { readonly outcome: 'already-undone' };

/**
 * identity-service undid a merge: exactly the consents that merge moved go back to the restored
 * patient (a consent recorded for the survivor since stays with it), and so do its links. Applied
 * once per merge id; the decision point forgets both patients' state when it commits.
 */
@Injectable()
export class ApplyUnmergeUseCase {
  constructor(
    private readonly merges: MergeLog,
    private readonly patients: PatientDirectory,
    private readonly signal: ConsentChangeSignal,
    private readonly audit: AuditTrail,
  ) {}

  /** Throws ConsentError(InvalidMerge) for a merge never applied here, or one between other patients. */
  async execute(command: ApplyUnmergeCommand, tx: Tx): Promise<ApplyUnmergeResult> {
    const { mergeId, survivorId, restoredId } = command;
    if (survivorId === restoredId) throw new ConsentError(ConsentErrorCode.InvalidMerge, 'A patient cannot be unmerged from itself.');
    const merge = await this.merges.find(tx, mergeId);
    if (!merge) throw new ConsentError(ConsentErrorCode.InvalidMerge, 'No merge with this id was applied here.');
    if (merge.survivorId !== survivorId || merge.mergedId !== restoredId) {
      throw new ConsentError(ConsentErrorCode.InvalidMerge, 'The unmerge names other patients than the merge it undoes.');
    }
    if (merge.unmergedAt !== null) return { outcome: 'already-undone' };
    this.merges.recordUnmerge(tx, merge, command.unmergedAt);
    this.patients.moveLinks(tx, restoredId, command.restoredLinks);
    this.patients.markMerged(tx, restoredId, null);
    this.signal.changed(tx, [survivorId, restoredId]);
    const detail = { mergeId, consents: merge.movedConsentIds.length };
    this.audit.append(tx, command.actor, [
      { action: 'consent.unmerge', patientId: survivorId, outcome: 'ok', detail: { ...detail, role: 'survivor' } },
      { action: 'consent.unmerge', patientId: restoredId, outcome: 'ok', detail: { ...detail, role: 'restored' } },
    ]);
    return { outcome: 'applied', restoredConsents: merge.movedConsentIds.length };
  }
}
