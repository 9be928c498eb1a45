import { Injectable } from '@nestjs/common';
import { PatientLinkedV1, PatientMergedV1, SensitiveLinkLinkedV1, SensitiveLinksMergedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent, type OutboxEvent } from '@lienthong/messaging';
import { UnitOfWork, type Tx } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { v7 as uuidv7 } from 'uuid';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { type MovedLink } from '../../domain/patient';
import { AuditTrail } from '../../ports/audit-trail.port';
import { MergeLog } from '../../ports/merge-log.port';
import { PatientStore } from '../../ports/patient-store.port';
import { reshareRecord } from '../shared-record';
import { SensitiveFacilities } from '../../ports/sensitive-facilities.port';

export interface MergePatientsCommand {
  readonly actor: Actor;
  readonly survivorId: string;
  readonly mergedId: string;
}

export interface MergeResult {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly mergedId: string;
  readonly movedLinks: readonly { facilityCode: string; localId: string }[];
}

/**
 * Merges one enterprise patient into another: its facility links and identifiers move to the survivor,
 * it becomes `merged` (reads redirect to the survivor), and the merge log records exactly what moved
 * so an unmerge can put it back.
 *
 * Events: links to sensitive facilities never reach the public topic. The public `merged` lists the
 * other moved links, and is not published at all when every moved link is sensitive — the merged id
 * was then never announced publicly, and an unknown id merging in would hint at a hidden link. The
 * sensitive links go in one `sensitive-link.merged` on the restricted topic.
 */
@Injectable()
export class MergePatientsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly patients: PatientStore,
    private readonly merges: MergeLog,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxWriter,
    private readonly sensitive: SensitiveFacilities,
  ) {}

  async execute(command: MergePatientsCommand): Promise<MergeResult> {
    return this.uow.run((tx) => this.mergeIn(tx, command, 'merge'));
  }

  /**
   * The merge itself, inside the caller's unit of work (the review queue's confirm reuses it).
   * `reason` 'review-confirmed' also announces each moved link as a confirmed link.
   */
  async mergeIn(tx: Tx, { actor, survivorId, mergedId }: MergePatientsCommand, reason: 'merge' | 'review-confirmed'): Promise<MergeResult> {
    if (survivorId === mergedId) throw new IdentityError(IdentityErrorCode.MergeConflict, 'a patient cannot be merged into itself');
    const locked = await this.patients.lockPatients(tx, [survivorId, mergedId]);
    const survivor = locked.find((p) => p.id === survivorId);
    const merged = locked.find((p) => p.id === mergedId);
    if (!survivor) throw new IdentityError(IdentityErrorCode.PatientNotFound, `patient ${survivorId} not found`);
    if (!merged) throw new IdentityError(IdentityErrorCode.PatientNotFound, `patient ${mergedId} not found`);
    if (survivor.status !== 'active' || merged.status !== 'active') {
      throw new IdentityError(IdentityErrorCode.MergeConflict, 'both patients must be active (one was already merged)');
    }
    const now = new Date();
    const links = await this.patients.linksOf(tx, mergedId);
    const identifiers = await this.patients.identifiersOf(tx, [mergedId]);
    this.patients.moveLinks(tx, links.map((l) => l.id), survivorId, now);
    this.patients.moveIdentifiers(tx, identifiers.map((i) => i.id), survivorId, now);
    this.patients.copyBlockingKeys(tx, mergedId, survivorId);
    this.patients.setMerged(tx, mergedId, survivorId, now);
    const mergeId = uuidv7();
    const movedLinks: MovedLink[] = links.map((l) => ({ linkId: l.id, facilityCode: l.facilityCode, localId: l.localId }));
    this.merges.record(tx, { id: mergeId, survivorId, mergedId, movedLinks, movedIdentifierIds: identifiers.map((i) => i.id), mergedBy: actor.subject, createdAt: now });
    const allLinks = movedLinks.map((l) => ({ facilityCode: l.facilityCode, localId: l.localId }));
    const sensitiveCodes = await this.sensitive.among(tx, allLinks.map((l) => l.facilityCode));
    const { open, restricted } = splitBySensitivity(allLinks, sensitiveCodes);
    const events: OutboxEvent[] = [];
    if (open.length > 0 || restricted.length === 0) events.push(outboxEvent(PatientMergedV1, { mergeId, survivorId, mergedId, movedLinks: open }));
    if (restricted.length > 0) events.push(outboxEvent(SensitiveLinksMergedV1, { mergeId, survivorId, mergedId, movedLinks: restricted }));
    if (reason === 'review-confirmed') {
      for (const l of open) events.push(outboxEvent(PatientLinkedV1, { enterprisePatientId: survivorId, ...l, method: 'review-confirmed', score: null }));
      for (const l of restricted) events.push(outboxEvent(SensitiveLinkLinkedV1, { enterprisePatientId: survivorId, ...l, method: 'review-confirmed', score: null }));
    }
    // The survivor's record now comes from its own and the merged patient's source records.
    const { sources } = await this.patients.stateOf(tx, survivorId);
    const changedFields = reshareRecord(this.patients, tx, survivor, sources, now);
    this.outbox.append(tx, events);
    this.audit.append(tx, actor, [
      { action: 'patient.merge', patientId: survivorId, outcome: 'success', detail: { mergeId, role: 'survivor', reason, ...(changedFields.length > 0 ? { changedFields } : {}) } },
      { action: 'patient.merge', patientId: mergedId, outcome: 'success', detail: { mergeId, role: 'merged', reason } },
    ]);
    return { mergeId, survivorId, mergedId, movedLinks: allLinks };
  }
}

type FacilityLink = { readonly facilityCode: string; readonly localId: string };

/** Links to facilities in `sensitiveCodes` go to the restricted topic, the others may be public (unmerge splits the same way). */
export function splitBySensitivity<L extends FacilityLink>(links: readonly L[], sensitiveCodes: ReadonlySet<string>): { open: L[]; restricted: L[] } {
  return { open: links.filter((l) => !sensitiveCodes.has(l.facilityCode)), restricted: links.filter((l) => sensitiveCodes.has(l.facilityCode)) };
}
