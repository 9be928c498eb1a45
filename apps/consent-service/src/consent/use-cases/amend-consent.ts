import { OutboxWriter } from '@lienthong/messaging';
import { advisoryLockKey, AuditTrail, type Db, UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { type ConsentVersion } from '../domain/consent';
import { ConsentError, ConsentErrorCode, type FieldViolation } from '../domain/consent-error';
import { mayReadConsents } from '../domain/disclosure';
import { ConsentChangeSignal } from '../ports/consent-change-signal.port';
import { ConsentStateCache } from '../ports/consent-state-cache.port';
import { ConsentStore, type StoredConsent } from '../ports/consent-store.port';
import { consentEvent, readerOf, recordingFacility, refuseIfInvalid, storeVersion, versionAudit } from './consent-statement';

export interface Amendment {
  /** consent.change, consent.withdraw: the audit action. */
  readonly action: string;
  /** What the refusal says the caller tried ("change", "withdraw"). */
  readonly verb: string;
  /**
   * The next version from the current one (`next` is its number, `facilityCode` and `at` where and
   * when it is recorded), and the rules it breaks; `db` for what the rules must look up. Called under
   * the consent's lock, so `current` is still current when the version is stored.
   */
  build(db: Db, current: ConsentVersion, next: { readonly version: number; readonly facilityCode: string; readonly at: Date }): Promise<{
    readonly version: ConsentVersion;
    readonly violations: readonly FieldViolation[];
  }>;
}

type Outcome = { readonly kind: 'stored'; readonly consent: StoredConsent } | { readonly kind: 'not-found' } | { readonly kind: 'conflict'; readonly status: string };

/**
 * Version n+1 of a granted consent — a change of scope or a withdrawal — under an advisory lock per
 * consent (two amendments at once get consecutive versions, never the same one). The caller must be
 * able to read the consent (the answer shows its history): otherwise it is not found, as an unknown
 * id is. Only a granted current version may be amended (409 otherwise). Refusals to amend are audited
 * (the audit row commits; the error is thrown after); a 422 writes nothing at all.
 */
@Injectable()
export class ConsentAmender {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly consents: ConsentStore,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
    private readonly signal: ConsentChangeSignal,
    private readonly cache: ConsentStateCache,
  ) {}

  async amend(actor: Actor, consentId: string, amendment: Amendment): Promise<StoredConsent> {
    const facilityCode = recordingFacility(actor, `${amendment.verb} consents`);
    const outcome = await this.uow.run<Outcome>(
      async (tx) => {
        const consent = await this.consents.findById(tx, consentId);
        const related = consent === undefined ? undefined : await this.consents.relatedFacilities(tx, consent.enterprisePatientId);
        if (consent === undefined || related === undefined || !mayReadConsents(readerOf(actor), related)) {
          this.audit.append(tx, actor, [
            { action: amendment.action, patientId: consent?.enterprisePatientId ?? null, outcome: consent ? 'denied' : 'not-found', detail: { consentId } },
          ]);
          return { kind: 'not-found' };
        }
        const current = consent.versions[consent.versions.length - 1];
        if (current === undefined) throw new Error(`consent ${consentId} has no version`); // the first version is written with the consent
        const { version, violations } = await amendment.build(tx, current, { version: current.version + 1, facilityCode, at: new Date() });
        refuseIfInvalid(violations);
        if (current.status !== 'granted') {
          this.audit.append(tx, actor, [
            { action: amendment.action, patientId: consent.enterprisePatientId, outcome: 'denied', detail: { consentId, reason: 'not-granted', status: current.status } },
          ]);
          return { kind: 'conflict', status: current.status };
        }
        storeVersion(tx, this.consents, version, actor.subject);
        this.outbox.append(tx, [consentEvent(version)]);
        this.audit.append(tx, actor, [versionAudit(amendment.action, version)]);
        this.signal.changed(tx, [consent.enterprisePatientId]);
        return { kind: 'stored', consent: { ...consent, versions: [...consent.versions, version] } };
      },
      { locks: [advisoryLockKey('consent', consentId)] },
    );
    switch (outcome.kind) {
      case 'not-found':
        throw new ConsentError(ConsentErrorCode.NotFound, 'no consent with this id');
      case 'conflict':
        throw new ConsentError(ConsentErrorCode.Conflict, `the consent is ${outcome.status}: only a granted consent can be ${amendment.verb === 'change' ? 'changed' : 'withdrawn'}`);
      case 'stored':
        await this.cache.invalidate([outcome.consent.enterprisePatientId]);
        return outcome.consent;
    }
  }
}
