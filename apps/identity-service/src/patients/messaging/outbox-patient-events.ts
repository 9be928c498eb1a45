import { Injectable } from '@nestjs/common';
import { OutboxWriter, type OutboxEvent } from '@lienthong/messaging';
import { type EntityManager } from 'typeorm';
import { PatientEventOutbox, type PendingEvent } from '../domain/patient-event-outbox.port';

/** PatientEventOutbox on the shared transactional outbox (libs/messaging). */
@Injectable()
export class OutboxPatientEvents extends PatientEventOutbox {
  constructor(private readonly writer: OutboxWriter) {
    super();
  }

  async append(manager: EntityManager, events: readonly PendingEvent[]): Promise<void> {
    if (events.length === 0) return;
    // PendingEvent data was type-checked against its definition by pendingEvent(); the writer re-validates.
    await this.writer.append(manager, events as readonly OutboxEvent[]);
  }
}
