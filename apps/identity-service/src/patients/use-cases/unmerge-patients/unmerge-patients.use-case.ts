import { Injectable } from '@nestjs/common';
import { PatientUnmergedV1 } from '@lienthong/contracts';
import { DataSource } from 'typeorm';
import { type MovedLink } from '../../../persistence/entities/merge.entity';
import { AuditWriter } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';
import { PatientError, PatientErrorCode } from '../../domain/patient-error';
import { PatientEventOutbox, pendingEvent } from '../../domain/patient-event-outbox.port';
import { PatientRepository } from '../../persistence/patient.repository';

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
    private readonly dataSource: DataSource,
    private readonly patients: PatientRepository,
    private readonly outbox: PatientEventOutbox,
    private readonly audit: AuditWriter,
  ) {}

  async execute(actor: Actor, mergeId: string): Promise<UnmergeResult> {
    return this.dataSource.transaction(async (manager) => {
      const rows: { survivor_id: string; merged_id: string; moved_links: MovedLink[]; moved_identifier_ids: string[]; undone_at: Date | null }[] =
        await manager.query(`SELECT survivor_id, merged_id, moved_links, moved_identifier_ids, undone_at FROM merges WHERE id = $1 FOR UPDATE`, [mergeId]);
      const merge = rows[0];
      if (!merge) throw new PatientError(PatientErrorCode.MergeNotFound, `merge ${mergeId} not found`);
      if (merge.undone_at !== null) throw new PatientError(PatientErrorCode.MergeConflict, 'this merge was already undone');
      const locked = await this.patients.lockPatients(manager, [merge.survivor_id, merge.merged_id]);
      const restored = locked.find((p) => p.id === merge.merged_id);
      if (!restored || restored.status !== 'merged' || restored.mergedInto !== merge.survivor_id) {
        throw new PatientError(PatientErrorCode.MergeConflict, 'the merged patient has changed since the merge');
      }
      const now = new Date();
      const stillThere: { id: string }[] = await manager.query(
        `SELECT id FROM facility_links WHERE id = ANY($1::uuid[]) AND patient_id = $2`,
        [merge.moved_links.map((l) => l.linkId), merge.survivor_id],
      );
      const back = new Set(stillThere.map((r) => r.id));
      const restoredLinks = merge.moved_links.filter((l) => back.has(l.linkId));
      await this.patients.moveLinks(manager, restoredLinks.map((l) => l.linkId), merge.merged_id, now);
      await manager.query(
        `UPDATE patient_identifiers SET patient_id = $2, updated_at = $4 WHERE id = ANY($1::uuid[]) AND patient_id = $3`,
        [merge.moved_identifier_ids, merge.merged_id, merge.survivor_id, now],
      );
      await this.patients.setMerged(manager, merge.merged_id, null, now);
      await manager.query(`UPDATE merges SET undone_at = $2, undone_by = $3 WHERE id = $1`, [mergeId, now, actor.subject]);
      const publicLinks = restoredLinks.map((l) => ({ facilityCode: l.facilityCode, localId: l.localId }));
      await this.outbox.append(manager, [
        pendingEvent(PatientUnmergedV1, { mergeId, survivorId: merge.survivor_id, restoredId: merge.merged_id, restoredLinks: publicLinks }),
      ]);
      await this.audit.write(manager, actor, [
        { action: 'patient.unmerge', patientId: merge.survivor_id, outcome: 'success', detail: { mergeId, role: 'survivor' } },
        { action: 'patient.unmerge', patientId: merge.merged_id, outcome: 'success', detail: { mergeId, role: 'restored' } },
      ]);
      return { mergeId, survivorId: merge.survivor_id, restoredId: merge.merged_id, restoredLinks: publicLinks };
    });
  }
}
