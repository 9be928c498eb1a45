import { AuditTrail, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { MergeLog } from '../../ports/merge-log.port';
import { type FacilityLink, PatientLinks } from '../../ports/patient-links.port';

export interface ApplyUnmergeCommand {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly restoredId: string;
  /** The links identity gave back to the restored patient. */
  readonly restoredLinks: readonly FacilityLink[];
  readonly unmergedAt: Date;
  /** Who applies it, for the audit trail (lab-results-service itself, on identity's word). */
  readonly actor: Actor;
}

export type ApplyUnmergeResult = { readonly outcome: 'applied'; readonly restoredResults: number } | { readonly outcome: 'already-undone' };

/**
 * identity-service undid a merge: exactly the results that merge moved go back to the restored
 * patient (a result stored for the survivor since stays with it), and so do its links. Applied once
 * per merge id; audited for both patients with ids and counts only.
 */
@Injectable()
export class ApplyUnmergeUseCase {
  constructor(
    private readonly merges: MergeLog,
    private readonly patients: PatientLinks,
    private readonly audit: AuditTrail,
  ) {}

  /** Throws LabResultError(InvalidMerge) for a merge never applied here, or one between other patients. */
  async execute(command: ApplyUnmergeCommand, tx: Tx): Promise<ApplyUnmergeResult> {
    const { mergeId, survivorId, restoredId } = command;
    if (survivorId === restoredId) throw new LabResultError(LabResultErrorCode.InvalidMerge, 'A patient cannot be unmerged from itself.');
    const merge = await this.merges.find(tx, mergeId);
    if (!merge) throw new LabResultError(LabResultErrorCode.InvalidMerge, 'No merge with this id was applied here.');
    if (merge.survivorId !== survivorId || merge.mergedId !== restoredId) {
      throw new LabResultError(LabResultErrorCode.InvalidMerge, 'The unmerge names other patients than the merge it undoes.');
    }
    if (merge.unmergedAt !== null) return { outcome: 'already-undone' };
    this.merges.recordUnmerge(tx, merge, command.unmergedAt);
    this.patients.moveLinks(tx, restoredId, command.restoredLinks);
    this.patients.markMerged(tx, restoredId, null);
    const detail = { mergeId, results: merge.movedResultIds.length };
    this.audit.append(tx, command.actor, [
      { action: 'patient.unmerge', patientId: survivorId, outcome: 'ok', detail: { ...detail, role: 'survivor' } },
      { action: 'patient.unmerge', patientId: restoredId, outcome: 'ok', detail: { ...detail, role: 'restored' } },
    ]);
    return { outcome: 'applied', restoredResults: merge.movedResultIds.length };
  }
}
