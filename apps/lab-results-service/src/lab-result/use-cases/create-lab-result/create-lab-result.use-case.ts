import { UnitOfWork } from '@lienthong/persistence';
import { actingFacility, type Actor } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { newLabResult, type LabResult } from '../../domain/lab-result';
import { LabResultError, LabResultErrorCode } from '../../domain/lab-result-error';
import { LabResultStore } from '../../ports/lab-result-store.port';

export interface CreateLabResultCommand {
  readonly actor: Actor;
  readonly note: string;
}

/** Records a lab-result for the facility the caller speaks for. */
@Injectable()
export class CreateLabResultUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: LabResultStore,
  ) {}

  async execute(command: CreateLabResultCommand): Promise<LabResult> {
    // The HTTP route refuses these callers too; the rule lives here so every transport keeps it.
    const facilityCode = actingFacility(command.actor);
    if (facilityCode === undefined) {
      throw new LabResultError(LabResultErrorCode.FacilityRequired, 'Only a facility, or a service acting for one, records a lab-result.');
    }
    const record = newLabResult({ id: uuidv7(), facilityCode, note: command.note, createdBy: command.actor.subject, createdAt: new Date() });
    await this.uow.run(async (tx) => {
      this.store.insert(tx, record);
      // Events go in the same transaction: `this.outbox.append(tx, outboxEvent(Definition, data))`.
    });
    return record;
  }
}
