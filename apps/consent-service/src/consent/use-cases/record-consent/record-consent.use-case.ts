import { OutboxWriter } from '@lienthong/messaging';
import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { type Representative } from '../../domain/consent';
import { ConsentChangeSignal } from '../../ports/consent-change-signal.port';
import { ConsentStateCache } from '../../ports/consent-state-cache.port';
import { ConsentStore, type StoredConsent } from '../../ports/consent-store.port';
import { FacilityDirectory } from '../../ports/facility-directory.port';
import { PatientDirectory } from '../../ports/patient-directory.port';
import {
  careRelationshipViolations,
  consentEvent,
  type EvidenceInput,
  granteeViolations,
  patientViolations,
  periodViolations,
  recordingFacility,
  refuseIfInvalid,
  type ScopeInput,
  scopeOf,
  statementViolations,
  storeVersion,
  versionAudit,
  versionOf,
} from '../consent-statement';

export interface RecordConsentCommand {
  readonly actor: Actor;
  readonly enterprisePatientId: string;
  /** What the patient said: a grant or a refusal (each is version 1 of a new consent). */
  readonly decision: 'grant' | 'refuse';
  readonly scope: ScopeInput;
  readonly evidence: EvidenceInput;
  readonly representative?: Representative | undefined;
}

/**
 * Records what a patient (or their legal representative) said at a facility: a grant or a refusal,
 * with its evidence, as version 1 of a new consent. Recorded at the acting facility (the token's) at
 * the server's time. The consent, its expiry, its `consent.v1` event, its audit row and the
 * cache-change signal commit together; the cache is invalidated before the answer leaves, so the next
 * decision anywhere sees it. Every rule broken (checkStatement, a period already over, an unknown
 * grantee facility, an unknown patient, a facility where the patient is not registered) comes back
 * in one 422, and nothing is written. A consent given for a patient identity has merged into another
 * is recorded for the survivor (as identity answers a merged id with its survivor): decisions about
 * either id read it there.
 */
@Injectable()
export class RecordConsentUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly consents: ConsentStore,
    private readonly patients: PatientDirectory,
    private readonly facilities: FacilityDirectory,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
    private readonly signal: ConsentChangeSignal,
    private readonly cache: ConsentStateCache,
  ) {}

  async execute(command: RecordConsentCommand): Promise<StoredConsent> {
    const { actor, enterprisePatientId } = command;
    const facilityCode = recordingFacility(actor, 'record consents');
    const at = new Date();
    const recording = {
      consentId: uuidv7(),
      version: 1,
      enterprisePatientId,
      status: command.decision === 'grant' ? ('granted' as const) : ('refused' as const),
      facilityCode,
      at,
    };
    const scope = scopeOf(command.scope, at);
    const version = versionOf(recording, scope, command.evidence, command.representative);
    const ruleViolations = [...statementViolations(version), ...periodViolations(scope, at)];

    const stored = await this.uow.run(async (tx) => {
      // One after the other: a transaction is one connection, which runs one statement at a time.
      const patient = await patientViolations(tx, this.patients, enterprisePatientId);
      // A patient merged away has its consents with the survivor, where every decision about it looks.
      const holder = await this.consents.holderOf(tx, enterprisePatientId);
      const cared = patient.length > 0 ? [] : await careRelationshipViolations(tx, this.patients, [enterprisePatientId, holder], facilityCode);
      const grantees = await granteeViolations(tx, this.facilities, scope.grantees);
      refuseIfInvalid([...patient, ...cared, ...ruleViolations, ...grantees]);
      const recorded = { ...version, enterprisePatientId: holder };
      this.consents.insertConsent(tx, { consentId: recording.consentId, enterprisePatientId: holder, createdAt: at });
      storeVersion(tx, this.consents, recorded, actor.subject);
      this.outbox.append(tx, [consentEvent(recorded)]);
      const audit = versionAudit(command.decision === 'grant' ? 'consent.grant' : 'consent.refuse', recorded);
      this.audit.append(tx, actor, [holder === enterprisePatientId ? audit : { ...audit, detail: { ...audit.detail, requestedFor: enterprisePatientId } }]);
      this.signal.changed(tx, [holder]);
      return { consentId: recording.consentId, enterprisePatientId: holder, originalPatientId: holder, createdAt: at, versions: [recorded] };
    });
    await this.cache.invalidate([stored.enterprisePatientId]);
    return stored;
  }
}
