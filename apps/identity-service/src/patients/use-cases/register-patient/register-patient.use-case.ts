import { Injectable } from '@nestjs/common';
import {
  PatientLinkedV1,
  PatientRegisteredV1,
  PatientUpdatedV1,
  SensitiveLinkLinkedV1,
  SensitiveLinkRegisteredV1,
  SensitiveLinkUpdatedV1,
  type EventData,
} from '@lienthong/contracts';
import { OutboxWriter, outboxEvent, type OutboxEvent } from '@lienthong/messaging';
import { advisoryLockKey, UnitOfWork, type Tx } from '@lienthong/persistence';
import { actingFacility, type Actor } from '@lienthong/platform';
import { v7 as uuidv7 } from 'uuid';
import { IdentifierCrypto } from '../../../crypto/identifier-crypto';
import { IdentityError, IdentityErrorCode, type FieldViolation } from '../../../domain/identity-error';
import { requestDigest } from '../../domain/canonical-json';
import { type IdentifierRecord, type IdentifierStatus, type NewIdentifier, type PatientRecord } from '../../domain/patient';
import { disputedFields, sameReport, type SourceRecord, type SurvivorField } from '../../domain/survivorship';
import { matchableFrom, PatientMatcher, type MatchablePatient, type MatchVerdict } from '../../domain/patient-matcher';
import { parseRegistration, type NormalisedIdentifier, type RegisterPatientBody, type Registration } from '../../domain/registration-input';
import { AuditTrail } from '../../ports/audit-trail.port';
import { IdempotencyStore } from '../../ports/idempotency-store.port';
import { reshareRecord } from '../shared-record';
import { PatientStore, type RegistrationCandidate, type RegistrationReads } from '../../ports/patient-store.port';
import { ReviewQueue } from '../../ports/review-queue.port';

export type RegistrationOutcome = 'linked' | 'review' | 'created' | 'updated';

export interface RegisterPatientResult {
  readonly enterprisePatientId: string;
  readonly outcome: RegistrationOutcome;
  readonly warnings: readonly FieldViolation[];
}

export interface RegisterPatientCommand {
  readonly actor: Actor;
  /** Shape-checked by the transport (the DTO); normalised and rule-checked here. */
  readonly body: RegisterPatientBody;
  readonly idempotencyKey?: string | undefined;
}

/** Most candidates a registration scores; blocking keeps the real number far below this. */
const MAX_CANDIDATES = 200;
const OPERATION = 'patient.register';

type IncomingIdentifier = NormalisedIdentifier & { readonly blindIndex: Buffer };

interface Resolution {
  readonly result: RegisterPatientResult;
  readonly events: OutboxEvent[];
  readonly audit: { readonly patientId: string; readonly detail: Record<string, unknown> };
}

interface Incoming {
  readonly facilityCode: string;
  readonly registration: Registration;
  readonly identifiers: readonly IncomingIdentifier[];
  readonly matchable: MatchablePatient;
  readonly now: Date;
  readonly facilityLevel: RegistrationReads['facilityLevel'];
  /** The report carries an active CCCD (which the patient then holds). */
  readonly cccdVerified: boolean;
  /** The registry marks the facility sensitive: its links go on the restricted topic only (DESIGN.md, Event backbone). */
  readonly facilitySensitive: boolean;
}

/** What a registration did to the patient's source records and shared record. */
interface SourceOutcome {
  /** Fields of the shared record that changed. */
  readonly changed: SurvivorField[];
  /** CCCD-attested fields this report contradicts (kept in its source record, sent to review). */
  readonly disputed: SurvivorField[];
}

/**
 * Registers or updates a facility's patient and resolves it to an enterprise patient id:
 *   1. same facility + local id → update that patient;
 *   2. an active CCCD already known (blind index) → link;
 *   3. otherwise blocking + Fellegi–Sunter score → link / review (new patient + review item) / new.
 * The change, its events and its audit row commit in one transaction. Concurrent registrations of the
 * same CCCD or the same local id serialise on advisory locks, so they can never create two patients.
 *
 * A facility changes only its own SOURCE RECORD (one per link); the shared patient record is computed
 * from all of them by the survivorship rules (domain/survivorship.ts), and every change of a source
 * record is appended to its history. A report contradicting a CCCD-verified name, birth date or sex
 * is kept in the facility's source record, does not reach the shared record, and opens one review item.
 *
 * A facility the registry marks sensitive (HIV clinic, mental hospital) is never named on the public
 * topic: its registrations, links and updates are published as sensitive-link events on the
 * restricted topic, and nothing about them on `identity.patient.v1`.
 *
 * Round trips: BEGIN with the locks, one read, the facility's sensitivity, one write (patient, identifiers, link, source record
 * and its history, blocking keys, review item, outbox, audit, idempotency answer), COMMIT. Changing an
 * existing patient (update, link) reads twice more: the patient row locked, then its identifiers and
 * source records — after the lock, so two facilities changing the same patient at once both count.
 */
@Injectable()
export class RegisterPatientUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly patients: PatientStore,
    private readonly reviews: ReviewQueue,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditTrail,
    private readonly outbox: OutboxWriter,
    private readonly crypto: IdentifierCrypto,
    private readonly matcher: PatientMatcher,
  ) {}

  async execute(command: RegisterPatientCommand): Promise<RegisterPatientResult> {
    const { actor, body } = command;
    const facilityCode = actingFacility(actor);
    if (facilityCode === undefined) {
      throw new IdentityError(IdentityErrorCode.FacilityRequired, 'only a facility (or a service acting for one) can register patients');
    }
    if (body.facilityCode !== undefined && body.facilityCode !== facilityCode) {
      throw new IdentityError(IdentityErrorCode.FacilityMismatch, 'the body names a different facility than the one this request speaks for');
    }
    const registration = parseRegistration(body);
    const digest = command.idempotencyKey === undefined ? undefined : requestDigest(body);

    // Crypto and blocking keys before the transaction: CPU work that must not hold locks.
    const identifiers = registration.identifiers.map((id) => ({ ...id, blindIndex: this.crypto.blindIndex(id.system, id.indexValue) }));
    const cccd = identifiers.find((i) => i.system === 'cccd' && i.status === 'active');
    const matchable = matchableFrom(
      registration.demographics,
      identifiers.filter((i) => i.system === 'bhyt').map((i) => i.blindIndex),
    );
    const locks = [advisoryLockKey('facility-link', `${facilityCode}\u0000${registration.localId}`)];
    for (const id of identifiers) if (id.system === 'cccd') locks.push(advisoryLockKey('cccd', id.blindIndex));
    if (command.idempotencyKey !== undefined) locks.push(advisoryLockKey('idempotency', `${facilityCode}\u0000${command.idempotencyKey}`));

    return this.uow.run(
      async (tx) => {
        const reads = await this.patients.registrationReads(tx, {
          facilityCode,
          localId: registration.localId,
          cccdIndex: cccd?.blindIndex,
          blockingKeys: this.hashedKeys(this.matcher.queryKeys(matchable)),
          limit: MAX_CANDIDATES,
          idempotencyKey: digest === undefined ? undefined : command.idempotencyKey,
        });
        if (digest !== undefined && reads.idempotent) {
          const previous = reads.idempotent;
          if (previous.operation !== OPERATION || !previous.requestHash.equals(digest)) {
            throw new IdentityError(IdentityErrorCode.IdempotencyConflict, 'this Idempotency-Key was already used with a different request');
          }
          return previous.response as RegisterPatientResult;
        }
        const incoming: Incoming = {
          facilityCode,
          registration,
          identifiers,
          matchable,
          now: new Date(),
          facilityLevel: reads.facilityLevel,
          cccdVerified: cccd !== undefined,
          facilitySensitive: reads.facilitySensitive,
        };
        const resolution = await this.resolve(tx, incoming, reads, cccd?.blindIndex);
        this.outbox.append(tx, resolution.events);
        this.audit.append(tx, actor, [{ action: OPERATION, patientId: resolution.audit.patientId, outcome: 'success', detail: resolution.audit.detail }]);
        if (command.idempotencyKey !== undefined && digest !== undefined) {
          this.idempotency.remember(tx, { facilityCode, key: command.idempotencyKey, operation: OPERATION, requestHash: digest, response: resolution.result, at: incoming.now });
        }
        return resolution.result;
      },
      { locks },
    );
  }

  private async resolve(tx: Tx, incoming: Incoming, reads: RegistrationReads, incomingCccd: Buffer | undefined): Promise<Resolution> {
    if (reads.link) return this.update(tx, incoming, reads.link);
    if (reads.cccdHolder !== undefined) return this.link(tx, incoming, reads.cccdHolder, 'cccd', null);

    const verdict = this.matchCandidates(incoming.matchable, reads.candidates, incomingCccd);
    const best = verdict.best;
    if (best && verdict.decision === 'link') return this.link(tx, incoming, best.id, 'probabilistic', best.score);
    const { facilityCode, registration, now } = incoming;
    const patientId = uuidv7();
    this.patients.insertPatient(tx, patientId, registration.demographics, now);
    const linkId = this.attach(tx, incoming, patientId, incoming.identifiers);
    // A new patient's only source is this report: the shared record is the report itself.
    this.patients.saveSource(tx, patientId, this.sourceOf(incoming, linkId, []));
    const outcome = best && verdict.decision === 'review' ? 'review' : 'created';
    if (best && outcome === 'review') {
      this.reviews.open(tx, {
        id: uuidv7(),
        kind: 'duplicate',
        incomingPatientId: patientId,
        candidatePatientId: best.id,
        facilityCode,
        localId: registration.localId,
        score: best.score,
        comparisons: best.comparisons,
        warnings: registration.warnings.map((w) => w.rule),
        createdAt: now,
      });
    }
    return {
      result: { enterprisePatientId: patientId, outcome, warnings: registration.warnings },
      events: [this.registeredEvent(incoming, patientId, outcome)],
      audit: { patientId, detail: { outcome, warnings: registration.warnings.map((w) => w.rule), ...(best ? { score: best.score } : {}) } },
    };
  }

  private matchCandidates(incoming: MatchablePatient, found: readonly RegistrationCandidate[], incomingCccd: Buffer | undefined): MatchVerdict<string> {
    // Two different active CCCDs are two different people, whatever the demographics say.
    const eligible = found.filter((c) => !(incomingCccd && c.cccdIndexes.length > 0 && !c.cccdIndexes.some((b) => b.equals(incomingCccd))));
    return this.matcher.decide(incoming, eligible.map((c) => ({ id: c.id, patient: c })));
  }

  /** Blocking keys carry names, dates and BHYT numbers: only their keyed hashes are stored. */
  private hashedKeys(keys: readonly string[]): Buffer[] {
    return keys.map((k) => this.crypto.blindIndex('blocking', k).subarray(0, 16));
  }

  /** The facility's link, the identifiers the patient did not hold yet, and this spelling's blocking keys; answers the link id. */
  private attach(tx: Tx, { facilityCode, registration, matchable, now }: Incoming, patientId: string, fresh: readonly IncomingIdentifier[]): string {
    const linkId = uuidv7();
    this.patients.insertIdentifiers(tx, patientId, facilityCode, fresh.map((i) => this.newIdentifier(i)), now);
    this.patients.insertLink(tx, { id: linkId, facilityCode, localId: registration.localId, patientId, originalPatientId: patientId }, now);
    this.patients.addBlockingKeys(tx, patientId, this.hashedKeys(this.matcher.indexKeys(matchable)));
    return linkId;
  }

  private async link(tx: Tx, incoming: Incoming, patientId: string, method: 'cccd' | 'probabilistic', score: number | null): Promise<Resolution> {
    const { facilityCode, registration } = incoming;
    const { current, state } = await this.lockedState(tx, patientId);
    const linkId = this.attach(tx, incoming, patientId, incoming.identifiers.filter((i) => !findKnown(state.identifiers, i)));
    const sources = this.applySource(tx, incoming, current, state.sources, linkId, undefined);
    const warnings = [...registration.warnings, ...disputeWarnings(sources.disputed)];
    return {
      result: { enterprisePatientId: patientId, outcome: 'linked', warnings },
      events: [
        linkedEvent(incoming, { enterprisePatientId: patientId, facilityCode, localId: registration.localId, method, score }),
        this.registeredEvent(incoming, patientId, 'linked'),
        ...(sources.changed.length > 0 ? [updatedEvent(incoming, { enterprisePatientId: patientId, facilityCode, localId: registration.localId, changedFields: sources.changed })] : []),
      ],
      audit: {
        patientId,
        detail: {
          outcome: 'linked',
          method,
          warnings: warnings.map((w) => w.rule),
          ...(score === null ? {} : { score }),
          ...(sources.disputed.length > 0 ? { disputed: sources.disputed } : {}),
        },
      },
    };
  }

  private async update(tx: Tx, incoming: Incoming, link: { readonly id: string; readonly patientId: string }): Promise<Resolution> {
    const { facilityCode, registration, now } = incoming;
    const patientId = link.patientId;
    const { current, state } = await this.lockedState(tx, patientId);
    const previous = state.sources.find((s) => s.linkId === link.id);
    const sources = this.applySource(tx, incoming, current, state.sources, link.id, previous);
    const changed: string[] = [...sources.changed];
    const { fresh, statusChanges } = identifierChanges(state.identifiers, incoming.identifiers, facilityCode);
    for (const [id, status] of statusChanges) this.patients.setIdentifierStatus(tx, id, status, now);
    this.patients.insertIdentifiers(tx, patientId, facilityCode, fresh.map((i) => this.newIdentifier(i)), now);
    if (fresh.length > 0 || statusChanges.size > 0) changed.push('identifiers');
    const warnings = [...registration.warnings, ...disputeWarnings(sources.disputed)];
    return {
      result: { enterprisePatientId: patientId, outcome: 'updated', warnings },
      events: changed.length > 0 ? [updatedEvent(incoming, { enterprisePatientId: patientId, facilityCode, localId: registration.localId, changedFields: changed })] : [],
      audit: {
        patientId,
        detail: { outcome: 'updated', changedFields: changed, warnings: warnings.map((w) => w.rule), ...(sources.disputed.length > 0 ? { disputed: sources.disputed } : {}) },
      },
    };
  }

  /** The patient row locked first, then what survivorship reads: a concurrent change of the same patient is then always seen. */
  private async lockedState(tx: Tx, patientId: string) {
    const [current] = await this.patients.lockPatients(tx, [patientId]);
    if (!current) throw new Error(`patient ${patientId} vanished under a registration`); // links and identifiers hold a foreign key to it
    return { current, state: await this.patients.stateOf(tx, patientId) };
  }

  /**
   * Writes this facility's source record (when it says something new), recomputes the shared record
   * from all source records, and opens one review item for a newly disputed CCCD-attested field.
   */
  private applySource(tx: Tx, incoming: Incoming, current: PatientRecord, stored: readonly SourceRecord[], linkId: string, previous: SourceRecord | undefined): SourceOutcome {
    const others = stored.filter((s) => s.linkId !== linkId);
    const disputed = disputedFields(others, previous, incoming.registration.demographics);
    const source = this.sourceOf(incoming, linkId, disputed);
    if (previous !== undefined && sameReport(previous, source)) return { changed: [], disputed };
    this.patients.saveSource(tx, current.id, source);
    // Every source's spelling stays findable: blocking keys are fed from each report, not only the winner.
    if (previous !== undefined) this.patients.addBlockingKeys(tx, current.id, this.hashedKeys(this.matcher.indexKeys(incoming.matchable)));
    const changed = reshareRecord(this.patients, tx, current, [...others, source], incoming.now);
    const newlyDisputed = disputed.filter((f) => !(previous?.disputedFields.includes(f) ?? false));
    if (newlyDisputed.length > 0) {
      this.reviews.open(tx, {
        id: uuidv7(),
        kind: 'conflict',
        incomingPatientId: current.id,
        candidatePatientId: current.id,
        facilityCode: incoming.facilityCode,
        localId: incoming.registration.localId,
        score: 0,
        comparisons: disputed.map((field) => ({ field, outcome: 'contradicts-cccd-verified', weight: 0 })),
        warnings: incoming.registration.warnings.map((w) => w.rule),
        createdAt: incoming.now,
      });
    }
    return { changed, disputed };
  }

  private sourceOf({ facilityCode, registration, now, facilityLevel, cccdVerified }: Incoming, linkId: string, disputed: readonly SurvivorField[]): SourceRecord {
    const { nameTokenKey: _derived, ...demographics } = registration.demographics;
    return { linkId, facilityCode, localId: registration.localId, demographics, cccdVerified, disputedFields: disputed, reportedAt: now, facilityLevel };
  }

  private newIdentifier(i: IncomingIdentifier): NewIdentifier {
    return { id: uuidv7(), system: i.system, encrypted: this.crypto.encrypt(i.system, i.value), blindIndex: i.blindIndex, status: i.status, flags: i.flags };
  }

  private registeredEvent({ facilityCode, registration, identifiers, facilitySensitive }: Incoming, patientId: string, outcome: 'linked' | 'review' | 'created'): OutboxEvent {
    // No demographics on the restricted topic: the exchange routes by link, and aggregates must not
    // be able to count a sensitive facility's patients by birth year or province from it.
    if (facilitySensitive) return outboxEvent(SensitiveLinkRegisteredV1, { enterprisePatientId: patientId, facilityCode, localId: registration.localId, outcome });
    const d = registration.demographics;
    return outboxEvent(PatientRegisteredV1, {
      enterprisePatientId: patientId,
      facilityCode,
      localId: registration.localId,
      outcome,
      sex: d.sex,
      birthYear: d.birthDate?.year ?? null,
      provinceCode: d.provinceCode ?? null,
      identifierSystems: [...new Set(identifiers.map((i) => i.system))],
    });
  }
}

type LinkedData = EventData<typeof PatientLinkedV1>;
type UpdatedData = EventData<typeof PatientUpdatedV1>;

/** A link by a sensitive facility goes on the restricted topic, never on the public one. */
function linkedEvent({ facilitySensitive }: Incoming, data: LinkedData): OutboxEvent {
  return facilitySensitive ? outboxEvent(SensitiveLinkLinkedV1, data) : outboxEvent(PatientLinkedV1, data);
}

/** An update reported by a sensitive facility names it: restricted topic only. */
function updatedEvent({ facilitySensitive }: Incoming, data: UpdatedData): OutboxEvent {
  return facilitySensitive ? outboxEvent(SensitiveLinkUpdatedV1, data) : outboxEvent(PatientUpdatedV1, data);
}

function findKnown<K extends { readonly system: string; readonly blindIndex: Buffer }>(known: readonly K[], incoming: IncomingIdentifier): K | undefined {
  return known.find((k) => k.system === incoming.system && k.blindIndex.equals(incoming.blindIndex));
}

/**
 * What an update does to the identifiers: the ones the patient did not hold, and one final status per
 * known identifier (a status the facility now reports differently; and a new active CCCD re-issues the
 * active CCCD this facility reported before — numbers are re-issued). One status per row, so the writes
 * can go in one batch.
 */
export function identifierChanges(
  known: readonly IdentifierRecord[],
  incoming: readonly IncomingIdentifier[],
  facilityCode: string,
): { fresh: IncomingIdentifier[]; statusChanges: Map<string, IdentifierStatus> } {
  const fresh: IncomingIdentifier[] = [];
  const statusChanges = new Map<string, IdentifierStatus>();
  for (const i of incoming) {
    const existing = findKnown(known, i);
    if (!existing) fresh.push(i);
    else if (existing.status !== i.status) statusChanges.set(existing.id, i.status);
  }
  for (const i of fresh.filter((f) => f.system === 'cccd' && f.status === 'active')) {
    for (const old of known) {
      if (old.system === 'cccd' && old.status === 'active' && old.sourceFacility === facilityCode && !old.blindIndex.equals(i.blindIndex)) {
        statusChanges.set(old.id, 're-issued');
      }
    }
  }
  return { fresh, statusChanges };
}

/** The warning a disputed field earns the caller: accepted into its own source record, not into the shared record. */
function disputeWarnings(fields: readonly SurvivorField[]): FieldViolation[] {
  const pointers: Record<SurvivorField, string> = { name: '#/fullName', birthDate: '#/birthDate', sex: '#/sex', address: '#/address', phone: '#/phone' };
  return fields.map((f) => ({
    pointer: pointers[f],
    rule: 'source.contradicts-cccd-verified',
    message: 'differs from the value verified with the CCCD at another facility: kept in your source record and sent to a data steward',
  }));
}
