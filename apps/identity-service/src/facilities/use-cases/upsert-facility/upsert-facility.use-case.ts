import { Injectable } from '@nestjs/common';
import { FacilityChangedV1 } from '@lienthong/contracts';
import { OutboxWriter, outboxEvent } from '@lienthong/messaging';
import { UnitOfWork } from '@lienthong/persistence';
import { isUnchanged, type Facility, type FacilityInput } from '../../domain/facility';
import { FacilityRegistry } from '../../ports/facility-registry.port';

export interface UpsertFacilityResult {
  readonly facility: Facility;
  /** created / changed publish `identity.facility.changed`; unchanged publishes nothing. */
  readonly outcome: 'created' | 'changed' | 'unchanged';
}

/**
 * Creates or changes one facility of the registry. A change writes a new version to the history and
 * publishes the whole facility on `identity.facility.v1` (compacted: the latest version per code is
 * what other services rebuild their local copy from). Re-submitting the same facility is a no-op, so
 * the seed can run at every start.
 */
@Injectable()
export class UpsertFacilityUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly registry: FacilityRegistry,
    private readonly outbox: OutboxWriter,
  ) {}

  execute(input: FacilityInput, changedBy: string): Promise<UpsertFacilityResult> {
    return this.uow.run(async (tx) => {
      const current = await this.registry.lockForChange(tx, input.code);
      if (current && isUnchanged(current, input)) return { facility: current, outcome: 'unchanged' };
      const facility: Facility = { ...input, version: (current?.version ?? 0) + 1, updatedAt: new Date() };
      this.registry.saveVersion(tx, facility, input, changedBy);
      const { synthetic: _synthetic, updatedAt: _updatedAt, ...published } = facility;
      this.outbox.append(tx, outboxEvent(FacilityChangedV1, published));
      return { facility, outcome: current ? 'changed' : 'created' };
    });
  }
}
