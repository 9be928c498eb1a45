import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';

export interface AuditRecordView {
  readonly id: string;
  readonly occurredAt: string;
  readonly actorSubject: string;
  readonly facilityCode: string | null;
  readonly purposeOfUse: string;
  readonly action: string;
  readonly outcome: string;
  readonly requestId: string | null;
  readonly detail: Record<string, unknown>;
}

/** The audit trail of one patient, newest first, cursor-paginated. Reading it is itself audited. */
@Injectable()
export class ReadAuditUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditWriter,
  ) {}

  async execute(actor: Actor, patientId: string, options: { cursor?: string | undefined; limit: number }): Promise<{ items: AuditRecordView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(options.limit, 1), 500);
    const cursor = options.cursor !== undefined && /^[0-9]{1,19}$/.test(options.cursor) ? options.cursor : null;
    return this.dataSource.transaction(async (manager) => {
      const rows: {
        id: string; occurred_at: Date; actor_subject: string; facility_code: string | null; purpose_of_use: string;
        action: string; outcome: string; request_id: string | null; detail: Record<string, unknown>;
      }[] = await manager.query(
        `SELECT id, occurred_at, actor_subject, facility_code, purpose_of_use, action, outcome, request_id, detail
           FROM audit_log WHERE patient_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3`,
        [patientId, cursor, limit + 1],
      );
      await this.audit.write(manager, actor, [{ action: 'patient.audit.read', patientId, outcome: 'success', detail: { count: Math.min(rows.length, limit) } }]);
      const page = rows.slice(0, limit);
      return {
        items: page.map((r) => ({
          id: String(r.id),
          occurredAt: r.occurred_at.toISOString(),
          actorSubject: r.actor_subject,
          facilityCode: r.facility_code,
          purposeOfUse: r.purpose_of_use,
          action: r.action,
          outcome: r.outcome,
          requestId: r.request_id,
          detail: r.detail,
        })),
        nextCursor: rows.length > limit ? String(page[page.length - 1]?.id) : null,
      };
    });
  }
}
