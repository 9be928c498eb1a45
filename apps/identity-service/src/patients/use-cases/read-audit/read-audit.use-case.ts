import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { AuditTrail, type AuditRecord } from '../../ports/audit-trail.port';

/** An audit entry as the API shows it (times as ISO 8601). */
export type AuditRecordView = Omit<AuditRecord, 'occurredAt'> & { readonly occurredAt: string };

/** The audit trail of one patient, newest first, cursor-paginated. Reading it is itself audited. */
@Injectable()
export class ReadAuditUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: Actor, patientId: string, page: { cursor?: string | undefined; limit: number }): Promise<{ items: AuditRecordView[]; nextCursor: string | null }> {
    return this.uow.read(async (tx) => {
      const rows = await this.audit.ofPatient(tx, patientId, page.cursor, page.limit + 1);
      const items = rows.slice(0, page.limit);
      this.audit.append(tx, actor, [{ action: 'patient.audit.read', patientId, outcome: 'success', detail: { count: items.length } }]);
      return {
        items: items.map(({ occurredAt, ...r }) => ({ ...r, occurredAt: occurredAt.toISOString() })),
        nextCursor: rows.length > page.limit ? (items[items.length - 1]?.id ?? null) : null,
      };
    });
  }
}
