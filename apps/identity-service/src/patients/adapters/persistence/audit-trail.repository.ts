import { Injectable } from '@nestjs/common';
import { type Db, PgAuditTrail } from '@lienthong/persistence';
import { type AuditRecord, type AuditTrail } from '../../ports/audit-trail.port';

/**
 * `audit_log` (append-only: a trigger rejects UPDATE, DELETE and TRUNCATE). Appends are the platform's
 * (PgAuditTrail: one multi-row INSERT per unit of work; for a service acting for a facility both are
 * kept, `acting_service` naming the service, `facility_code` the facility it spoke for); the reads are
 * identity's own.
 */
@Injectable()
export class AuditTrailRepository extends PgAuditTrail implements AuditTrail {
  async facilitiesOf(db: Db, patientId: string): Promise<string[]> {
    const rows = await db.query<{ facility_code: string }>(
      `SELECT DISTINCT facility_code FROM audit_log WHERE patient_id = $1 AND facility_code IS NOT NULL`,
      [patientId],
    );
    return rows.map((r) => r.facility_code);
  }

  async ofPatient(db: Db, patientId: string, cursor: string | undefined, limit: number, hiddenFacilities: readonly string[] = []): Promise<AuditRecord[]> {
    const rows = await db.query<{
      id: string; occurred_at: Date; actor_kind: string; actor_subject: string; acting_service: string | null; facility_code: string | null; purpose_of_use: string;
      action: string; outcome: string; request_id: string | null; detail: Record<string, unknown>;
    }>(
      `SELECT id, occurred_at, actor_kind, actor_subject, acting_service, facility_code, purpose_of_use, action, outcome, request_id, detail
         FROM audit_log WHERE patient_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
          AND (facility_code IS NULL OR NOT facility_code = ANY($4::varchar[]))
        ORDER BY id DESC LIMIT $3`,
      [patientId, cursor ?? null, limit, hiddenFacilities],
    );
    return rows.map((r) => ({
      id: String(r.id),
      occurredAt: r.occurred_at,
      actorKind: r.actor_kind,
      actorSubject: r.actor_subject,
      actingService: r.acting_service,
      facilityCode: r.facility_code,
      purposeOfUse: r.purpose_of_use,
      action: r.action,
      outcome: r.outcome,
      requestId: r.request_id,
      detail: r.detail,
    }));
  }
}
