import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { IdentityError, IdentityErrorCode } from '../../../domain/identity-error';
import { hiddenAuditFacilities, mayDisclosePatient } from '../../domain/disclosure';
import { AuditTrail, type AuditRecord } from '../../ports/audit-trail.port';
import { SensitiveFacilities } from '../../ports/sensitive-facilities.port';
import { PatientResolver } from '../patient-resolver';
import { viewerOf } from '../viewer';

/** An audit entry as the API shows it (times as ISO 8601). */
export type AuditRecordView = Omit<AuditRecord, 'occurredAt'> & { readonly occurredAt: string };

/**
 * The audit trail of one patient, newest first, cursor-paginated. Reading it is itself audited.
 *
 * The trail says where the patient was seen as plainly as the links do, so the same disclosure rule
 * applies: a caller that may not see the patient gets the 404 of an unknown id (audited as denied),
 * and nobody but a sensitive facility itself sees entries recorded by or for it.
 */
@Injectable()
export class ReadAuditUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
    private readonly resolver: PatientResolver,
    private readonly sensitive: SensitiveFacilities,
  ) {}

  async execute(actor: Actor, patientId: string, page: { cursor?: string | undefined; limit: number }): Promise<{ items: AuditRecordView[]; nextCursor: string | null }> {
    const viewer = viewerOf(actor);
    const answer = await this.uow.read(async (tx) => {
      const [patient] = await this.resolver.byIds(tx, [patientId], undefined);
      if (!patient || !mayDisclosePatient(patient.facts.links, viewer, patient.sensitiveFacilities)) {
        this.audit.append(tx, actor, [{ action: 'patient.audit.read', patientId, outcome: patient ? 'denied' : 'not-found' }]);
        return undefined;
      }
      const named = await this.audit.facilitiesOf(tx, patientId);
      const hidden = hiddenAuditFacilities(named, viewer, await this.sensitive.among(tx, named));
      const rows = await this.audit.ofPatient(tx, patientId, page.cursor, page.limit + 1, hidden);
      const items = rows.slice(0, page.limit);
      this.audit.append(tx, actor, [{ action: 'patient.audit.read', patientId, outcome: 'success', detail: { count: items.length } }]);
      return {
        items: items.map(({ occurredAt, ...r }) => ({ ...r, occurredAt: occurredAt.toISOString() })),
        nextCursor: rows.length > page.limit ? (items[items.length - 1]?.id ?? null) : null,
      };
    });
    if (!answer) throw new IdentityError(IdentityErrorCode.PatientNotFound, 'no patient with this id');
    return answer;
  }
}
