import { type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { PatientLinks } from '../../ports/patient-links.port';

export interface RecordPatientLinkCommand {
  readonly enterprisePatientId: string;
  readonly facilityCode: string;
  readonly localId: string;
  /** When identity-service registered or linked it (the event's time). */
  readonly seenAt: Date;
}

/**
 * identity-service registered or linked a patient at a facility: the patient is known from now on
 * and the facility has a care relationship with it (what a referral's reuse check rests on). A link
 * identity moved to another patient follows it.
 */
@Injectable()
export class RecordPatientLinkUseCase {
  constructor(private readonly patients: PatientLinks) {}

  async execute(command: RecordPatientLinkCommand, tx: Tx): Promise<void> {
    const { enterprisePatientId, facilityCode, localId, seenAt } = command;
    const situation = await this.patients.linkSituation(tx, { enterprisePatientId, facilityCode, localId });
    // Link events are keyed by their patient and merges by the survivor, so they may be read in either
    // order: a link of a patient already merged away belongs to its survivor.
    const holder = situation.mergedInto ?? enterprisePatientId;
    if (situation.known && situation.heldBy === holder) return;
    this.patients.recordLink(tx, { enterprisePatientId: holder, facilityCode, localId }, seenAt);
  }
}
