import { type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { ConsentChangeSignal } from '../../ports/consent-change-signal.port';
import { PatientDirectory } from '../../ports/patient-directory.port';

export interface RecordPatientLinkCommand {
  readonly enterprisePatientId: string;
  readonly facilityCode: string;
  readonly localId: string;
  /** When identity-service registered or linked it (the event's time). */
  readonly seenAt: Date;
}

/**
 * identity-service registered or linked a patient at a facility: the patient is known from now on
 * (consents may be recorded for it) and the facility has a care relationship with it. A link that
 * identity moved to another patient follows; the patients whose state changed are signalled.
 */
@Injectable()
export class RecordPatientLinkUseCase {
  constructor(
    private readonly patients: PatientDirectory,
    private readonly signal: ConsentChangeSignal,
  ) {}

  async execute(command: RecordPatientLinkCommand, tx: Tx): Promise<void> {
    const { enterprisePatientId, facilityCode, localId, seenAt } = command;
    const situation = await this.patients.linkSituation(tx, { enterprisePatientId, facilityCode, localId });
    // Link events are keyed by their patient and merges by the survivor, so they may be read in either
    // order: a link of a patient already merged away belongs to its survivor.
    const holder = situation.mergedInto ?? enterprisePatientId;
    this.patients.recordLink(tx, { enterprisePatientId: holder, facilityCode, localId }, seenAt);
    const changed = [
      ...(situation.known && situation.heldBy === holder ? [] : [holder]),
      ...(situation.heldBy !== undefined && situation.heldBy !== holder ? [situation.heldBy] : []),
    ];
    if (changed.length > 0) this.signal.changed(tx, changed);
  }
}
