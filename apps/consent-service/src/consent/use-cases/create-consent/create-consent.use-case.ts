import { UnitOfWork } from '@lienthong/persistence';
import { actingFacility, type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { newConsent, type Consent } from '../../domain/consent';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';
import { ConsentStore } from '../../ports/consent-store.port';

export interface CreateConsentCommand {
  readonly actor: Actor;
  readonly note: string;
}

/** Records a consent for the facility the caller speaks for. */
@Injectable()
export class CreateConsentUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: ConsentStore,
  ) {}

  async execute(command: CreateConsentCommand): Promise<Consent> {
    // The HTTP route refuses these callers too; the rule lives here so every transport keeps it.
    const facilityCode = actingFacility(command.actor);
    if (facilityCode === undefined) {
      throw new ConsentError(ConsentErrorCode.FacilityRequired, 'Only a facility, or a service acting for one, records a consent.');
    }
    const record = newConsent({ id: uuidv7(), facilityCode, note: command.note, createdBy: command.actor.subject, createdAt: new Date() });
    await this.uow.run(async (tx) => {
      this.store.insert(tx, record);
      // Events go in the same transaction: `this.outbox.append(tx, outboxEvent(Definition, data))`.
    });
    return record;
  }
}
