import { EmergencyAccessGrantedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent } from '@lienthong/messaging';
import { AuditTrail, UnitOfWork } from '@lienthong/persistence';
import { actingFacility, type Actor, InjectConfig } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { type ConsentConfig } from '../../../config/consent.config';
import { ConsentError, ConsentErrorCode, invalid } from '../../domain/consent-error';
import { ConsentChangeSignal } from '../../ports/consent-change-signal.port';
import { ConsentStateCache } from '../../ports/consent-state-cache.port';
import { ConsentStore } from '../../ports/consent-store.port';
import { EmergencyAccessStore } from '../../ports/emergency-access-store.port';
import { PatientDirectory } from '../../ports/patient-directory.port';

export interface DeclareEmergencyAccessCommand {
  readonly actor: Actor;
  readonly enterprisePatientId: string;
  /** The clinician as the facility's HIS identifies them (no name). */
  readonly clinicianId: string;
  /** Why, in the clinician's words: stored with the grant, shown in the report, published nowhere. */
  readonly reason: string;
  /** How long the access lasts; the configured default when absent, never more than the configured maximum. */
  readonly durationMinutes?: number | undefined;
}

export interface EmergencyAccessGranted {
  readonly id: string;
  readonly facilityCode: string;
  readonly grantedAt: string;
  readonly expiresAt: string;
}

type Settings = Pick<ConsentConfig['consent'], 'emergencyAccessDefaultMinutes' | 'emergencyAccessMaxMinutes'>;

/**
 * Break-the-glass: a clinician at a facility declares an emergency, and that facility may read the
 * patient's ordinary data for emergency care for a short time (the decision rule is domain/decide.ts).
 * The grant, its event (so the patient can be told) and its audit row commit together; the cache is
 * invalidated before the answer leaves, so the very next emergency decision, on any replica, permits.
 * A patient merged away is granted as its survivor, where every decision about either id looks.
 */
@Injectable()
export class DeclareEmergencyAccessUseCase {
  private readonly settings: Settings;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly accesses: EmergencyAccessStore,
    private readonly patients: PatientDirectory,
    private readonly consents: ConsentStore,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
    private readonly signal: ConsentChangeSignal,
    private readonly cache: ConsentStateCache,
    @InjectConfig() config: { readonly consent: Settings },
  ) {
    this.settings = config.consent;
  }

  async execute(command: DeclareEmergencyAccessCommand): Promise<EmergencyAccessGranted> {
    const { actor, enterprisePatientId, clinicianId, reason } = command;
    const facilityCode = actingFacility(actor);
    if (facilityCode === undefined) {
      throw new ConsentError(ConsentErrorCode.FacilityRequired, 'Break-the-glass is declared by a facility: this request speaks for none.');
    }
    const minutes = command.durationMinutes ?? this.settings.emergencyAccessDefaultMinutes;
    if (minutes > this.settings.emergencyAccessMaxMinutes) {
      throw invalid(
        [{ pointer: '#/durationMinutes', rule: 'max', message: `an emergency access lasts at most ${this.settings.emergencyAccessMaxMinutes} minutes` }],
        'The emergency access is not valid.',
      );
    }
    const granted = await this.uow.run(async (tx) => {
      if (!(await this.patients.known(tx, [enterprisePatientId])).has(enterprisePatientId)) {
        throw new ConsentError(ConsentErrorCode.UnknownPatient, 'No patient with this id is known from identity-service.', [
          { pointer: '#/enterprisePatientId', rule: 'known-patient', message: 'identity-service has not announced this patient' },
        ]);
      }
      const holder = await this.consents.holderOf(tx, enterprisePatientId);
      const grantedAt = new Date();
      const access = {
        id: uuidv7(),
        enterprisePatientId: holder,
        facilityCode,
        clinicianId,
        reason,
        grantedAt,
        expiresAt: new Date(grantedAt.getTime() + minutes * 60_000),
      };
      this.accesses.record(tx, { ...access, actorSubject: actor.subject });
      this.outbox.append(tx, [
        outboxEvent(EmergencyAccessGrantedV1, {
          grantId: access.id,
          enterprisePatientId: holder,
          facilityCode,
          clinicianId,
          grantedAt: access.grantedAt.toISOString(),
          expiresAt: access.expiresAt.toISOString(),
        }),
      ]);
      this.audit.append(tx, actor, [
        {
          action: 'emergency-access.declare',
          patientId: holder,
          outcome: 'ok',
          detail: {
            emergencyAccessId: access.id,
            durationMinutes: minutes,
            expiresAt: access.expiresAt.toISOString(),
            ...(holder !== enterprisePatientId ? { requestedFor: enterprisePatientId } : {}),
          },
        },
      ]);
      this.signal.changed(tx, [holder]);
      return access;
    });
    await this.cache.invalidate([granted.enterprisePatientId]);
    return { id: granted.id, facilityCode, grantedAt: granted.grantedAt.toISOString(), expiresAt: granted.expiresAt.toISOString() };
  }
}
