import { type EventData, type EventDefinition } from '@lienthong/contracts';
import { type EntityManager } from 'typeorm';
import { type SqlBatch } from '../../persistence/sql-batch';

/** An event a use case wants published, in the same transaction as its change. */
export interface PendingEvent {
  readonly definition: EventDefinition;
  readonly data: unknown;
}

/** Type-checks the data against its definition at compile time (the outbox re-validates at run time). */
export function pendingEvent<D extends EventDefinition>(definition: D, data: EventData<D>): PendingEvent {
  return { definition, data };
}

/** Port onto the transactional outbox: rows written with `manager` commit or roll back with the change. */
export abstract class PatientEventOutbox {
  abstract append(manager: EntityManager, events: readonly PendingEvent[]): Promise<void>;
  /** Adds the rows to a batch the caller runs in its transaction (no round trip of their own). */
  abstract appendTo(batch: SqlBatch, events: readonly PendingEvent[]): void;
}
