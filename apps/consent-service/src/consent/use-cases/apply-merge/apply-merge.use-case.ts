import { AuditTrail, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { ConsentChangeSignal } from '../../ports/consent-change-signal.port';
import { MergeLog } from '../../ports/merge-log.port';
import { PatientDirectory } from '../../ports/patient-directory.port';

export interface ApplyMergeCommand {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly mergedId: string;
  /** The merged patient's facility links identity moved to the survivor. */
  readonly movedLinks: readonly { readonly facilityCode: string; readonly localId: string }[];
  readonly mergedAt: Date;
  /** Who applies it, for the audit trail (consent-service itself, on identity's word). */
  readonly actor: Actor;
}

export type ApplyMergeResult = { readonly outcome: 'applied'; readonly movedConsents: number } | { readonly outcome: 'already-applied' };

/**
 * identity-service merged two records of one person: the merged patient's consents now speak for
 * the survivor (each keeps the patient it was recorded for), its links follow, and the merge is
 * recorded with the consents it moved so an unmerge can give back exactly those. Applied once per
 * merge id; the decision point forgets both patients' state when it commits.
 */
@Injectable()
export class ApplyMergeUseCase {
  constructor(
    private readonly merges: MergeLog,
    private readonly patients: PatientDirectory,
    private readonly signal: ConsentChangeSignal,
    private readonly audit: AuditTrail,
  ) {}

  /** Throws ConsentError(InvalidMerge) for a patient merged into itself, or a merge id seen for other patients. */
  async execute(command: ApplyMergeCommand, tx: Tx): Promise<ApplyMergeResult> {
    const { mergeId, survivorId, mergedId } = command;
    if (survivorId === mergedId) throw new ConsentError(ConsentErrorCode.InvalidMerge, 'A patient cannot be merged into itself.');
    const applied = await this.merges.find(tx, mergeId);
    if (applied) {
      if (applied.survivorId !== survivorId || applied.mergedId !== mergedId) {
        throw new ConsentError(ConsentErrorCode.InvalidMerge, 'This merge id was applied to other patients.');
      }
      return { outcome: 'already-applied' };
    }
    const movedConsentIds = await this.merges.consentsHeldBy(tx, mergedId);
    this.merges.recordMerge(tx, { mergeId, survivorId, mergedId, movedConsentIds }, command.mergedAt);
    this.patients.moveLinks(tx, survivorId, command.movedLinks);
    this.patients.markMerged(tx, mergedId, survivorId);
    this.signal.changed(tx, [survivorId, mergedId]);
    const detail = { mergeId, consents: movedConsentIds.length };
    this.audit.append(tx, command.actor, [
      { action: 'consent.merge', patientId: survivorId, outcome: 'ok', detail: { ...detail, role: 'survivor' } },
      { action: 'consent.merge', patientId: mergedId, outcome: 'ok', detail: { ...detail, role: 'merged' } },
    ]);
    return { outcome: 'applied', movedConsents: movedConsentIds.length };
  }
}
