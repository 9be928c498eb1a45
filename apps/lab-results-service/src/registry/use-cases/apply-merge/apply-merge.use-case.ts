import { AuditTrail, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { MergeLog } from '../../ports/merge-log.port';
import { type FacilityLink, PatientLinks } from '../../ports/patient-links.port';

export interface ApplyMergeCommand {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly mergedId: string;
  /** The merged patient's facility links identity moved to the survivor. */
  readonly movedLinks: readonly FacilityLink[];
  readonly mergedAt: Date;
  /** Who applies it, for the audit trail (lab-results-service itself, on identity's word). */
  readonly actor: Actor;
}

export type ApplyMergeResult = { readonly outcome: 'applied'; readonly movedResults: number } | { readonly outcome: 'already-applied' };

/**
 * identity-service merged two records of one person: the merged patient's stored results now belong
 * to the survivor (so a reuse check for either finds them), its links follow, and the merge is
 * recorded with the results it moved so an unmerge can give back exactly those. Applied once per
 * merge id; audited for both patients with ids and counts only.
 */
@Injectable()
export class ApplyMergeUseCase {
  constructor(
    private readonly merges: MergeLog,
    private readonly patients: PatientLinks,
    private readonly audit: AuditTrail,
  ) {}

  /** Throws LabResultError(InvalidMerge) for a patient merged into itself, or a merge id seen for other patients. */
  async execute(command: ApplyMergeCommand, tx: Tx): Promise<ApplyMergeResult> {
    const { mergeId, survivorId, mergedId } = command;
    if (survivorId === mergedId) throw new LabResultError(LabResultErrorCode.InvalidMerge, 'A patient cannot be merged into itself.');
    const applied = await this.merges.find(tx, mergeId);
    if (applied) {
      if (applied.survivorId !== survivorId || applied.mergedId !== mergedId) {
        throw new LabResultError(LabResultErrorCode.InvalidMerge, 'This merge id was applied to other patients.');
      }
      return { outcome: 'already-applied' };
    }
    const movedResultIds = await this.merges.resultsHeldBy(tx, mergedId);
    this.merges.recordMerge(tx, { mergeId, survivorId, mergedId, movedResultIds }, command.mergedAt);
    this.patients.moveLinks(tx, survivorId, command.movedLinks);
    this.patients.markMerged(tx, mergedId, survivorId);
    const detail = { mergeId, results: movedResultIds.length };
    this.audit.append(tx, command.actor, [
      { action: 'patient.merge', patientId: survivorId, outcome: 'ok', detail: { ...detail, role: 'survivor' } },
      { action: 'patient.merge', patientId: mergedId, outcome: 'ok', detail: { ...detail, role: 'merged' } },
    ]);
    return { outcome: 'applied', movedResults: movedResultIds.length };
  }
}
