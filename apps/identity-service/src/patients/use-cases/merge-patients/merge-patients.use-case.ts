import { Injectable } from '@nestjs/common';
import { PatientLinkedV1, PatientMergedV1 } from '@lienthong/contracts';
import { v7 as uuidv7 } from 'uuid';
import { DataSource, type EntityManager } from 'typeorm';
import { type MovedLink } from '../../../persistence/entities/merge.entity';
import { AuditWriter } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';
import { PatientError, PatientErrorCode } from '../../domain/patient-error';
import { PatientEventOutbox, pendingEvent, type PendingEvent } from '../../domain/patient-event-outbox.port';
import { PatientRepository } from '../../persistence/patient.repository';

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
 * Merges one enterprise patient into another: its facility links and identifiers move to the
 * survivor, it becomes `merged` (reads redirect to the survivor), and the merge row records exactly
 * what moved so an unmerge can put it back. One `merged` event.
 */
@Injectable()
export class MergePatientsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly patients: PatientRepository,
    private readonly outbox: PatientEventOutbox,
    private readonly audit: AuditWriter,
  ) {}

  async execute(command: MergePatientsCommand): Promise<MergeResult> {
    return this.dataSource.transaction(async (manager) => {
      const { result, events } = await this.mergeIn(manager, command, 'merge');
      await this.outbox.append(manager, events);
      return result;
    });
  }

  /**
   * The merge itself, inside the caller's transaction (the review queue's confirm reuses it).
   * `reason` 'review-confirmed' also announces each moved link as a confirmed link.
   */
  async mergeIn(
    manager: EntityManager,
    { actor, survivorId, mergedId }: MergePatientsCommand,
    reason: 'merge' | 'review-confirmed',
  ): Promise<{ result: MergeResult; events: PendingEvent[] }> {
    if (survivorId === mergedId) throw new PatientError(PatientErrorCode.MergeConflict, 'a patient cannot be merged into itself');
    const locked = await this.patients.lockPatients(manager, [survivorId, mergedId]);
    const survivor = locked.find((p) => p.id === survivorId);
    const merged = locked.find((p) => p.id === mergedId);
    if (!survivor) throw new PatientError(PatientErrorCode.PatientNotFound, `patient ${survivorId} not found`);
    if (!merged) throw new PatientError(PatientErrorCode.PatientNotFound, `patient ${mergedId} not found`);
    if (survivor.status !== 'active' || merged.status !== 'active') {
      throw new PatientError(PatientErrorCode.MergeConflict, 'both patients must be active (one was already merged)');
    }
    const now = new Date();
    const links = await this.patients.linksOf(manager, mergedId);
    const identifiers = await this.patients.identifiersOf(manager, [mergedId]);
    await this.patients.moveLinks(manager, links.map((l) => l.id), survivorId, now);
    await this.patients.moveIdentifiers(manager, identifiers.map((i) => i.id), survivorId, now);
    await manager.query(
      `INSERT INTO patient_blocking_keys (blocking_key, patient_id)
       SELECT blocking_key, $2::uuid FROM patient_blocking_keys WHERE patient_id = $1 ON CONFLICT DO NOTHING`,
      [mergedId, survivorId],
    );
    await this.patients.setMerged(manager, mergedId, survivorId, now);
    const mergeId = uuidv7();
    const movedLinks: MovedLink[] = links.map((l) => ({ linkId: l.id, facilityCode: l.facilityCode, localId: l.localId }));
    await manager.query(
      `INSERT INTO merges (id, survivor_id, merged_id, moved_links, moved_identifier_ids, merged_by, created_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::uuid[], $6, $7)`,
      [mergeId, survivorId, mergedId, JSON.stringify(movedLinks), identifiers.map((i) => i.id), actor.subject, now],
    );
    const publicLinks = movedLinks.map((l) => ({ facilityCode: l.facilityCode, localId: l.localId }));
    const events: PendingEvent[] = [pendingEvent(PatientMergedV1, { mergeId, survivorId, mergedId, movedLinks: publicLinks })];
    if (reason === 'review-confirmed') {
      for (const l of publicLinks) {
        events.push(pendingEvent(PatientLinkedV1, { enterprisePatientId: survivorId, ...l, method: 'review-confirmed', score: null }));
      }
    }
    await this.audit.write(manager, actor, [
      { action: 'patient.merge', patientId: survivorId, outcome: 'success', detail: { mergeId, role: 'survivor', reason } },
      { action: 'patient.merge', patientId: mergedId, outcome: 'success', detail: { mergeId, role: 'merged', reason } },
    ]);
    return { result: { mergeId, survivorId, mergedId, movedLinks: publicLinks }, events };
  }
}
