import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { mayReadConsents } from '../../domain/disclosure';
import { type ConsentPage, ConsentStore } from '../../ports/consent-store.port';
import { PatientDirectory } from '../../ports/patient-directory.port';
import { readerOf } from '../consent-statement';

export interface ConsentPageRequest {
  /** The last consent id of the previous page. */
  readonly cursor?: string | undefined;
  readonly limit: number;
}

/**
 * A patient's consents with every version (the history), newest consent first, a page at a time.
 * An unknown patient, or one whose consents the caller may not read, is a 404 (the same answer for
 * both: the caller learns nothing of a patient it has no relationship with). Audited either way.
 */
@Injectable()
export class ListPatientConsentsUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly consents: ConsentStore,
    private readonly patients: PatientDirectory,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: Actor, enterprisePatientId: string, page: ConsentPageRequest): Promise<ConsentPage> {
    const found = await this.uow.read(async (tx) => {
      // Independent reads, each on its own pooled connection: one round trip's wait.
      const [known, related, consents] = await Promise.all([
        this.patients.known(tx, [enterprisePatientId]),
        this.consents.relatedFacilities(tx, enterprisePatientId),
        this.consents.listByPatient(tx, enterprisePatientId, page),
      ]);
      const isKnown = known.has(enterprisePatientId);
      const visible = isKnown && mayReadConsents(readerOf(actor), related);
      this.audit.append(tx, actor, [
        {
          action: 'consent.history',
          patientId: enterprisePatientId,
          outcome: visible ? 'ok' : isKnown ? 'denied' : 'not-found',
          detail: visible ? { count: consents.items.length, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) } : {},
        },
      ]);
      return visible ? consents : undefined;
    });
    if (found === undefined) throw new ConsentError(ConsentErrorCode.NotFound, 'no patient with this id whose consents you may read');
    return found;
  }
}
