import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type AuditOutcome } from '../../persistence/entities/audit-log.entity';
import { type SqlBatch } from '../../persistence/sql-batch';
import { type Actor } from '../domain/actor';

export interface AuditEntry {
  readonly action: string;
  readonly patientId: string | null;
  readonly outcome: AuditOutcome;
  /** Coded detail only (outcome names, counts, error codes): never identifier values or names. */
  readonly detail?: Record<string, unknown>;
}

/** Appends audit rows; writes join the caller's transaction so the audit commits with the change. */
@Injectable()
export class AuditWriter {
  async write(manager: EntityManager, actor: Actor, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const now = new Date();
    const values: unknown[] = [];
    const rows = entries.map((e, i) => {
      const o = i * 9;
      values.push(now, actor.subject, actor.facilityCode, actor.purposeOfUse, e.action, e.patientId, e.outcome, actor.requestId, JSON.stringify(e.detail ?? {}));
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, $${o + 7}, $${o + 8}, $${o + 9}::jsonb)`;
    });
    await manager.query(
      `INSERT INTO audit_log (occurred_at, actor_subject, facility_code, purpose_of_use, action, patient_id, outcome, request_id, detail)
       VALUES ${rows.join(', ')}`,
      values,
    );
  }

  /** The same rows, added to a batch the caller runs in its transaction (no round trip of their own). */
  appendTo(batch: SqlBatch, actor: Actor, entries: readonly AuditEntry[]): void {
    if (entries.length === 0) return;
    const now = new Date();
    batch.write((p) => {
      const rows = entries.map(
        (e) =>
          `(${p(now)}::timestamptz, ${p(actor.subject)}, ${p(actor.facilityCode)}, ${p(actor.purposeOfUse)}, ${p(e.action)}, ${p(e.patientId)}::uuid, ${p(e.outcome)}, ${p(actor.requestId)}, ${p(JSON.stringify(e.detail ?? {}))}::jsonb)`,
      );
      return `INSERT INTO audit_log (occurred_at, actor_subject, facility_code, purpose_of_use, action, patient_id, outcome, request_id, detail) VALUES ${rows.join(', ')}`;
    });
  }
}
