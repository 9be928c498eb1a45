import { ConsentExpiredV1, type EventData } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent } from '@lienthong/messaging';
import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { DEFAULT_PURPOSE_OF_USE, type ServiceActor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { ConsentChangeSignal } from '../../ports/consent-change-signal.port';
import { type DueExpiry, ExpiryQueue } from '../../ports/expiry-queue.port';
import { scopeData } from '../consent-statement';

/** How many ends one unit of work announces; a full batch is followed at once by the next. */
export const EXPIRY_BATCH = 200;

/** consent-service itself, as the audit trail names it when its own job changes a consent's state. */
export const EXPIRY_JOB_ACTOR: ServiceActor = {
  kind: 'service',
  service: 'consent-service',
  subject: 'consent-service/expiry-job',
  scopes: [],
  purposeOfUse: DEFAULT_PURPOSE_OF_USE,
};

/** Namespace of the expired events' ids: one id per (consent, version), so a consumer's inbox would fold any repeat. */
const EXPIRED_EVENT_NAMESPACE = '6b0e0c52-3f7a-4f55-9a4e-0d5c2f1b8e21';

/**
 * Announces grant periods that have ended: claims the due ends (locked, skipping any another replica
 * holds), and in the same unit of work appends one ConsentExpiredV1 each, marks them announced, audits
 * them and signals the change — so each end is published exactly once across replicas, on the first
 * poll after it, including after a restart that spanned it. Returns how many it announced.
 */
@Injectable()
export class PublishDueExpiriesUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly queue: ExpiryQueue,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
    private readonly signal: ConsentChangeSignal,
  ) {}

  async execute(limit = EXPIRY_BATCH): Promise<number> {
    return this.uow.run(async (tx) => {
      const due = await this.queue.claimDue(tx, limit);
      if (due.length === 0) return 0;
      this.outbox.append(
        tx,
        due.map((d) => outboxEvent(ConsentExpiredV1, expiredData(d), { id: uuidv5(`${d.consentId}/${d.version}`, EXPIRED_EVENT_NAMESPACE) })),
      );
      this.queue.markPublished(tx, due, new Date());
      this.audit.append(
        tx,
        EXPIRY_JOB_ACTOR,
        due.map((d) => ({
          action: 'consent.expire',
          patientId: d.enterprisePatientId,
          outcome: 'ok' as const,
          detail: { consentId: d.consentId, version: d.version, endedAt: d.endsAt.toISOString() },
        })),
      );
      this.signal.changed(tx, due.map((d) => d.enterprisePatientId));
      return due.length;
    });
  }
}

function expiredData(d: DueExpiry): EventData<typeof ConsentExpiredV1> {
  return { consentId: d.consentId, version: d.version, enterprisePatientId: d.enterprisePatientId, expiredAt: d.endsAt.toISOString(), scope: scopeData(d.scope) };
}
