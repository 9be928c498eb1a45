import type { Tx } from '@lienthong/persistence';
import { auditActor, type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditEntry } from '../../ports/audit-trail.port';

const COLUMNS = `occurred_at, actor_kind, actor_subject, acting_service, acting_facility, purpose_of_use, action, enterprise_patient_id, outcome, request_id, detail`;

/** `audit_log` (append-only: a trigger refuses UPDATE and DELETE): one multi-row INSERT per unit of work. */
@Injectable()
export class AuditTrailRepository extends AuditTrail {
  append(tx: Tx, actor: Actor, entries: readonly AuditEntry[]): void {
    if (entries.length === 0) return;
    const who = auditActor(actor);
    const now = new Date();
    tx.write((p) => {
      const [at, kind, subject, service, facility, purpose, request] = [now, who.kind, who.subject, who.service, who.facilityCode, who.purposeOfUse, who.requestId].map(p);
      const rows = entries.map(
        (e) =>
          `(${at}::timestamptz, ${kind}, ${subject}, ${service}, ${facility}, ${purpose}, ${p(e.action)}, ${p(e.enterprisePatientId)}::uuid, ${p(e.outcome)}, ${request}, ${p(JSON.stringify(e.detail ?? {}))}::jsonb)`,
      );
      return `INSERT INTO audit_log (${COLUMNS}) VALUES ${rows.join(', ')}`;
    });
  }
}
