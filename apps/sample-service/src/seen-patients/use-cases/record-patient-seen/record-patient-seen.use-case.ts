import { type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type PatientSighting } from '../../domain/seen-patient';
import { SeenPatientRepository } from '../../ports/seen-patient.repository';

export interface RecordPatientSeenCommand extends PatientSighting {
  /** When identity-service saw it (the event's time), not when this service caught up. */
  readonly seenAt: Date;
}

/** A patient registered or linked at a facility: remember the link. */
@Injectable()
export class RecordPatientSeenUseCase {
  constructor(private readonly patients: SeenPatientRepository) {}

  execute(command: RecordPatientSeenCommand, tx: Tx): void {
    const { enterprisePatientId, facilityCode, localId, seenAt } = command;
    this.patients.record(tx, { enterprisePatientId, facilityCode, localId }, seenAt);
  }
}
