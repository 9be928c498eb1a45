import { Injectable } from '@nestjs/common';
import { OUTBOX_NOTIFY_SQL, OutboxWriter, outboxInsertSql, type OutboxEvent } from '@lienthong/messaging';
import { type EntityManager } from 'typeorm';
import { type SqlBatch } from '../../persistence/sql-batch';
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

  /**
   * Same rows as OutboxWriter.append (validated, CloudEvents-encoded, W3C trace context in the headers,
   * pg_notify to wake the relay at commit), added to a batch that the caller runs inside its
   * transaction — so the outbox insert costs no round trip of its own.
   */
  override appendTo(batch: SqlBatch, events: readonly PendingEvent[]): void {
    if (events.length === 0) return;
    const { records } = this.writer.encode(events as readonly OutboxEvent[]);
    batch.write((p) => outboxInsertSql(records, p));
    if (this.writer.notifies) batch.select(OUTBOX_NOTIFY_SQL);
  }
}
