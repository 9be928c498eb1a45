import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { mayReadConsents } from '../../domain/disclosure';
import { ConsentStore, type StoredConsent } from '../../ports/consent-store.port';
import { readerOf } from '../consent-statement';

/**
 * Reads one consent with every version. A caller the disclosure rule does not let read the patient's
 * consents gets the 404 of an unknown id (a 403 would confirm the consent exists); asking for a
 * version the consent does not have is a 404 too. Audited whether found or not, before the answer leaves.
 */
@Injectable()
export class GetConsentUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly consents: ConsentStore,
    private readonly audit: AuditTrail,
  ) {}

  /** `version`: one version is asked for (FHIR vread); the consent still comes whole. */
  async execute(actor: Actor, consentId: string, options: { readonly version?: number } = {}): Promise<StoredConsent> {
    const found = await this.uow.read(async (tx) => {
      const consent = await this.consents.findById(tx, consentId);
      const related = consent === undefined ? undefined : await this.consents.relatedFacilities(tx, consent.enterprisePatientId);
      const visible = consent !== undefined && related !== undefined && mayReadConsents(readerOf(actor), related);
      const exists = visible && (options.version === undefined || consent.versions.some((v) => v.version === options.version));
      const detail = { consentId, ...(options.version === undefined ? {} : { version: options.version }) };
      this.audit.append(tx, actor, [
        { action: 'consent.read', patientId: consent?.enterprisePatientId ?? null, outcome: exists ? 'ok' : visible || !consent ? 'not-found' : 'denied', detail },
      ]);
      return exists ? consent : undefined;
    });
    if (found === undefined) throw new ConsentError(ConsentErrorCode.NotFound, options.version === undefined ? 'no consent with this id' : 'no such version of a consent with this id');
    return found;
  }
}
