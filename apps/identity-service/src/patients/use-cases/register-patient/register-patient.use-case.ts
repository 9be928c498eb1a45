import { Injectable } from '@nestjs/common';
import {
  PatientLinkedV1,
  PatientRegisteredV1,
  PatientUpdatedV1,
} from '@lienthong/contracts';
import { formatIsoPartialDate } from '@lienthong/vn-standards';
import { v7 as uuidv7 } from 'uuid';
import { DataSource, type EntityManager } from 'typeorm';
import { IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { type FieldComparison } from '../../../persistence/entities/review-item.entity';
import { AuditWriter } from '../../audit/audit-writer';
import { type Actor } from '../../domain/actor';
import { requestDigest } from '../../domain/canonical-json';
import { PatientError, PatientErrorCode, type FieldViolation } from '../../domain/patient-error';
import { PatientEventOutbox, pendingEvent, type PendingEvent } from '../../domain/patient-event-outbox.port';
import { matchableFrom, PatientMatcher, type MatchablePatient, type MatchVerdict } from '../../domain/patient-matcher';
import { parseRegistration, type NormalisedDemographics, type Registration } from '../../domain/registration-input';
import {
  advisoryLockKey,
  PatientRepository,
  type NewIdentifier,
  type PatientRecord,
  type RegistrationCandidate,
  type RegistrationReads,
} from '../../persistence/patient.repository';
import { inLockedTransaction } from '../../../persistence/locked-transaction';
import { SqlBatch } from '../../../persistence/sql-batch';

export type RegistrationOutcome = 'linked' | 'review' | 'created' | 'updated';

export interface RegisterPatientResult {
  readonly enterprisePatientId: string;
  readonly outcome: RegistrationOutcome;
  readonly warnings: readonly FieldViolation[];
}

export interface RegisterPatientCommand {
  readonly actor: Actor;
  readonly body: unknown;
  readonly idempotencyKey?: string | undefined;
}

/** Most candidates a registration scores; blocking keeps the real number far below this. */
const MAX_CANDIDATES = 200;
const OPERATION = 'patient.register';

interface Resolution {
  readonly result: RegisterPatientResult;
  readonly events: PendingEvent[];
  readonly audit: { patientId: string; detail: Record<string, unknown> };
}

/**
 * Registers or updates a facility's patient and resolves it to an enterprise patient id:
 *   1. same facility + local id → update that patient;
 *   2. an active CCCD already known (blind index) → link;
 *   3. otherwise blocking + Fellegi–Sunter score → link / review (new patient + review item) / new.
 * The change, its events (outbox) and its audit row commit in one transaction. Concurrent
 * registrations of the same CCCD or the same local id serialise on transaction-scoped advisory
 * locks, so they can never create two patients.
 */
@Injectable()
export class RegisterPatientUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly patients: PatientRepository,
    private readonly crypto: IdentifierCrypto,
    private readonly matcher: PatientMatcher,
    private readonly outbox: PatientEventOutbox,
    private readonly audit: AuditWriter,
  ) {}

  async execute(command: RegisterPatientCommand): Promise<RegisterPatientResult> {
    const { actor } = command;
    const facilityCode = actor.facilityCode;
    if (facilityCode === null) {
      throw new PatientError(PatientErrorCode.NoFacilityInToken, 'only a facility can register patients: the token names none');
    }
    const bodyFacility = isRecord(command.body) ? command.body['facilityCode'] : undefined;
    if (bodyFacility !== undefined && bodyFacility !== facilityCode) {
      throw new PatientError(PatientErrorCode.FacilityMismatch, 'the body names a different facility than the token');
    }
    const registration = parseRegistration(command.body);
    const digest = command.idempotencyKey === undefined ? undefined : requestDigest(command.body);

    // Crypto and blocking keys outside the transaction: CPU work that must not hold locks.
    const identifiers = registration.identifiers.map((id) => ({
      ...id,
      blindIndex: this.crypto.blindIndex(id.system, id.indexValue),
    }));
    const lockKeys = [advisoryLockKey('facility-link', `${facilityCode}\u0000${registration.localId}`)];
    for (const id of identifiers) if (id.system === 'cccd') lockKeys.push(advisoryLockKey('cccd', id.blindIndex));
    if (command.idempotencyKey !== undefined) lockKeys.push(advisoryLockKey('idempotency', `${facilityCode}\u0000${command.idempotencyKey}`));
    const cccd = identifiers.find((i) => i.system === 'cccd' && i.status === 'active');
    const bhytIndexes = identifiers.filter((i) => i.system === 'bhyt').map((i) => i.blindIndex);
    const incoming = matchableFrom(registration.demographics, bhytIndexes);
    const queryKeys = this.hashedKeys(this.matcher.queryKeys(incoming));

    // Round trips: BEGIN + locks, one read statement, one write statement (patient, identifiers,
    // link, blocking keys, review item, outbox, audit, idempotency answer), COMMIT.
    return inLockedTransaction(this.dataSource, lockKeys, async (manager) => {
      const reads = await this.patients.registrationReads(manager, {
        facilityCode,
        localId: registration.localId,
        cccdIndex: cccd?.blindIndex,
        blockingKeys: queryKeys,
        limit: MAX_CANDIDATES,
        idempotencyKey: digest === undefined ? undefined : command.idempotencyKey,
      });
      if (digest !== undefined && reads.idempotent) {
        const previous = reads.idempotent;
        if (previous.operation !== OPERATION || !previous.requestHash.equals(digest)) {
          throw new PatientError(PatientErrorCode.IdempotencyConflict, 'this Idempotency-Key was already used with a different request');
        }
        return previous.response as RegisterPatientResult;
      }
      const now = new Date();
      const batch = new SqlBatch();
      const resolution = await this.resolve(manager, batch, facilityCode, registration, identifiers, reads, incoming, cccd?.blindIndex, now);
      this.outbox.appendTo(batch, resolution.events);
      this.audit.appendTo(batch, actor, [
        { action: OPERATION, patientId: resolution.audit.patientId, outcome: 'success', detail: resolution.audit.detail },
      ]);
      if (command.idempotencyKey !== undefined && digest !== undefined) {
        const key = command.idempotencyKey;
        batch.write(
          (p) =>
            `INSERT INTO idempotency_keys (facility_code, key, operation, request_hash, response, created_at) VALUES (${p(facilityCode)}, ${p(key)}, ${p(OPERATION)}, ${p(digest)}::bytea, ${p(JSON.stringify(resolution.result))}::jsonb, ${p(now)}::timestamptz)`,
        );
      }
      await batch.run(manager);
      return resolution.result;
    });
  }

  private async resolve(
    manager: EntityManager,
    batch: SqlBatch,
    facilityCode: string,
    registration: Registration,
    identifiers: readonly IncomingIdentifier[],
    reads: RegistrationReads,
    incoming: MatchablePatient,
    incomingCccd: Buffer | undefined,
    now: Date,
  ): Promise<Resolution> {
    const { localId, demographics, warnings } = registration;
    const warningRules = warnings.map((w) => w.rule);

    if (reads.link) {
      return this.update(manager, facilityCode, reads.link.patientId, registration, identifiers, now);
    }

    if (reads.cccdHolder !== undefined) {
      return this.link(batch, facilityCode, localId, reads.cccdHolder, reads.holderIdentifiers, registration, identifiers, now, 'cccd', null);
    }

    const verdict = this.matchCandidates(incoming, reads.candidates, incomingCccd);
    const best = verdict.best;
    if (best && verdict.decision === 'link') {
      const known = await this.patients.identifiersOf(manager, [best.id]);
      return this.link(batch, facilityCode, localId, best.id, known, registration, identifiers, now, 'probabilistic', best.score);
    }

    const patientId = uuidv7();
    this.createPatient(batch, patientId, facilityCode, registration, identifiers, now);
    const outcome = best && verdict.decision === 'review' ? 'review' : 'created';
    if (best && outcome === 'review') {
      batch.write(
        (p) =>
          `INSERT INTO review_items (id, incoming_patient_id, candidate_patient_id, facility_code, local_id, score, comparisons, warnings, status, created_at)
           VALUES (${p(uuidv7())}::uuid, ${p(patientId)}::uuid, ${p(best.id)}::uuid, ${p(facilityCode)}, ${p(localId)}, ${p(best.score)}::float8, ${p(JSON.stringify(best.comparisons satisfies readonly FieldComparison[]))}::jsonb, ${p(JSON.stringify(warningRules))}::jsonb, 'open', ${p(now)}::timestamptz)`,
      );
    }
    return {
      result: { enterprisePatientId: patientId, outcome, warnings },
      events: [this.registeredEvent(patientId, facilityCode, localId, outcome, demographics, identifiers)],
      audit: { patientId, detail: { outcome, warnings: warningRules, ...(best ? { score: best.score } : {}) } },
    };
  }

  private matchCandidates(incoming: MatchablePatient, found: readonly RegistrationCandidate[], incomingCccd: Buffer | undefined): MatchVerdict<string> {
    // Two different active CCCDs are two different people, whatever the demographics say.
    const eligible = found.filter((c) => !(incomingCccd && c.cccdIndexes.length > 0 && !c.cccdIndexes.some((b) => b.equals(incomingCccd))));
    return this.matcher.decide(
      incoming,
      eligible.map((c) => ({ id: c.id, patient: matchableFrom(c, c.bhytIndexes) })),
    );
  }

  /** Blocking keys carry names, dates and BHYT numbers: only their keyed hashes are stored. */
  private hashedKeys(keys: readonly string[]): Buffer[] {
    return keys.map((k) => this.crypto.blindIndex('blocking', k).subarray(0, 16));
  }

  private indexKeysOf(d: NormalisedDemographics, identifiers: readonly IncomingIdentifier[]): Buffer[] {
    const bhyt = identifiers.filter((i) => i.system === 'bhyt').map((i) => i.blindIndex);
    return this.hashedKeys(this.matcher.indexKeys(matchableFrom(d, bhyt)));
  }

  private async indexPatient(manager: EntityManager, patientId: string, d: NormalisedDemographics, identifiers: readonly IncomingIdentifier[]): Promise<void> {
    await this.patients.addBlockingKeys(manager, patientId, this.indexKeysOf(d, identifiers));
  }

  private createPatient(
    batch: SqlBatch,
    patientId: string,
    facilityCode: string,
    registration: Registration,
    identifiers: readonly IncomingIdentifier[],
    now: Date,
  ): void {
    this.patients.batchInsertPatient(batch, patientId, registration.demographics, now);
    this.patients.batchInsertIdentifiers(batch, patientId, facilityCode, identifiers.map((i) => this.newIdentifier(i)), now);
    this.patients.batchInsertLink(batch, { id: uuidv7(), facilityCode, localId: registration.localId, patientId, originalPatientId: patientId }, now);
    this.patients.batchAddBlockingKeys(batch, patientId, this.indexKeysOf(registration.demographics, identifiers));
  }

  private link(
    batch: SqlBatch,
    facilityCode: string,
    localId: string,
    patientId: string,
    known: readonly { readonly system: string; readonly blindIndex: Buffer }[],
    registration: Registration,
    identifiers: readonly IncomingIdentifier[],
    now: Date,
    method: 'cccd' | 'probabilistic',
    score: number | null,
  ): Resolution {
    const fresh = identifiers.filter((i) => !findKnown(known, i));
    this.patients.batchInsertIdentifiers(batch, patientId, facilityCode, fresh.map((i) => this.newIdentifier(i)), now);
    this.patients.batchInsertLink(batch, { id: uuidv7(), facilityCode, localId, patientId, originalPatientId: patientId }, now);
    // This facility's spelling becomes another way to find the patient next time.
    this.patients.batchAddBlockingKeys(batch, patientId, this.indexKeysOf(registration.demographics, identifiers));
    const warningRules = registration.warnings.map((w) => w.rule);
    return {
      result: { enterprisePatientId: patientId, outcome: 'linked', warnings: registration.warnings },
      events: [
        pendingEvent(PatientLinkedV1, { enterprisePatientId: patientId, facilityCode, localId, method, score }),
        this.registeredEvent(patientId, facilityCode, localId, 'linked', registration.demographics, identifiers),
      ],
      audit: { patientId, detail: { outcome: 'linked', method, warnings: warningRules, ...(score === null ? {} : { score }) } },
    };
  }

  private async update(
    manager: EntityManager,
    facilityCode: string,
    patientId: string,
    registration: Registration,
    identifiers: readonly IncomingIdentifier[],
    now: Date,
  ): Promise<Resolution> {
    const current = await this.patients.findPatient(manager, patientId, true);
    if (!current) throw new Error(`facility link points at missing patient ${patientId}`); // FK makes this impossible
    const d = registration.demographics;
    const changedFields = changedDemographics(current, d);
    if (changedFields.length > 0) {
      await this.patients.updateDemographics(manager, patientId, d, now);
      await this.indexPatient(manager, patientId, d, identifiers);
    }
    const known = await this.patients.identifiersOf(manager, [patientId]);
    const fresh: IncomingIdentifier[] = [];
    for (const incoming of identifiers) {
      const existing = findKnown(known, incoming);
      if (!existing) fresh.push(incoming);
      else if (existing.status !== incoming.status) await this.patients.setIdentifierStatus(manager, existing.id, incoming.status, now);
      else continue;
      if (!changedFields.includes('identifiers')) changedFields.push('identifiers');
    }
    // A new active CCCD replaces the one this facility reported before (numbers are re-issued).
    for (const incoming of fresh.filter((i) => i.system === 'cccd' && i.status === 'active')) {
      for (const old of known.filter((k) => k.system === 'cccd' && k.status === 'active' && k.sourceFacility === facilityCode && !k.blindIndex.equals(incoming.blindIndex))) {
        await this.patients.setIdentifierStatus(manager, old.id, 're-issued', now);
      }
    }
    await this.patients.insertIdentifiers(manager, patientId, facilityCode, fresh.map((i) => this.newIdentifier(i)), now);
    const events: PendingEvent[] =
      changedFields.length > 0
        ? [pendingEvent(PatientUpdatedV1, { enterprisePatientId: patientId, facilityCode, localId: registration.localId, changedFields })]
        : [];
    return {
      result: { enterprisePatientId: patientId, outcome: 'updated', warnings: registration.warnings },
      events,
      audit: { patientId, detail: { outcome: 'updated', changedFields, warnings: registration.warnings.map((w) => w.rule) } },
    };
  }

  private newIdentifier(i: IncomingIdentifier): NewIdentifier {
    return { id: uuidv7(), system: i.system, encrypted: this.crypto.encrypt(i.system, i.value), blindIndex: i.blindIndex, status: i.status, flags: i.flags };
  }

  private registeredEvent(
    patientId: string,
    facilityCode: string,
    localId: string,
    outcome: 'linked' | 'review' | 'created',
    d: NormalisedDemographics,
    identifiers: readonly IncomingIdentifier[],
  ): PendingEvent {
    return pendingEvent(PatientRegisteredV1, {
      enterprisePatientId: patientId,
      facilityCode,
      localId,
      outcome,
      sex: d.sex,
      birthYear: d.birthDate?.year ?? null,
      provinceCode: d.provinceCode ?? null,
      identifierSystems: [...new Set(identifiers.map((i) => i.system))],
    });
  }
}

type IncomingIdentifier = Registration['identifiers'][number] & { readonly blindIndex: Buffer };

function findKnown<K extends { readonly system: string; readonly blindIndex: Buffer }>(known: readonly K[], incoming: IncomingIdentifier): K | undefined {
  return known.find((k) => k.system === incoming.system && k.blindIndex.equals(incoming.blindIndex));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names of demographic fields that differ (names only: values never leave the service in events). */
export function changedDemographics(current: PatientRecord, next: NormalisedDemographics): string[] {
  const changed: string[] = [];
  const date = (d: PatientRecord['birthDate']) => (d === undefined ? null : formatIsoPartialDate(d));
  if (current.fullName !== next.fullName) changed.push('name');
  if (date(current.birthDate) !== date(next.birthDate)) changed.push('birthDate');
  if (current.sex !== next.sex) changed.push('sex');
  if (current.provinceCode !== next.provinceCode || current.communeCode !== next.communeCode || current.addressLine !== next.addressLine) {
    changed.push('address');
  }
  if (current.phone !== next.phone) changed.push('phone');
  return changed;
}
