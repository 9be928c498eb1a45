import { buildEvent, decodeCloudEvent, encodeCloudEvent, type BuiltEvent, type EventData, type EventDefinition } from '@lienthong/contracts';
import { type SqlParam, type Tx } from '@lienthong/persistence';
import { context, propagation } from '@opentelemetry/api';
import { OUTBOX_CHANNEL, OUTBOX_TABLE } from './outbox.schema';

/** An event to append: its definition (type, topic, schema, key) and its data, validated on append. */
export interface OutboxEvent<D extends EventDefinition = EventDefinition> {
  readonly definition: D;
  readonly data: EventData<D>;
  /** Override the generated UUIDv7 id (e.g. to derive it from a command id). */
  readonly id?: string;
  readonly time?: Date;
}

/** Typed constructor: `outboxEvent(PatientRegisteredV1, { … })` checks the data at compile time too. */
export function outboxEvent<D extends EventDefinition>(definition: D, data: EventData<D>, options: { id?: string; time?: Date } = {}): OutboxEvent<D> {
  return { definition, data, ...options };
}

export interface OutboxWriterOptions {
  /** CloudEvents `source` of everything this service writes, e.g. `/lienthong/identity-service`. */
  readonly source: string;
  /**
   * Signal the relay at commit with pg_notify (default true). Postgres serialises the commits of
   * notifying transactions on a global lock; at very high commit rates turn this off and rely on
   * the relay's polling.
   */
  readonly notify?: boolean;
}

/** Wakes the relay; queued by Postgres and delivered only if the transaction commits. */
export const OUTBOX_NOTIFY_SQL = `pg_notify('${OUTBOX_CHANNEL}', '')`;

/**
 * Appends events to the outbox inside the caller's unit of work, so the domain change and its events
 * commit or roll back together:
 *
 *   await uow.run(async (tx) => {
 *     patients.register(tx, patient);
 *     outbox.append(tx, outboxEvent(PatientRegisteredV1, { … }));
 *   });
 *
 * A `Tx` only exists inside `uow.run`, so an append outside a transaction (the row committing
 * without its domain change, what the outbox exists to prevent) does not type-check.
 *
 * The current W3C trace context is stored with each event, so the consumer's span continues the
 * producing request's trace even though the relay sends it later from another process.
 */
export class OutboxWriter {
  constructor(private readonly options: OutboxWriterOptions) {
    if (!options.source) throw new Error('OutboxWriter needs a CloudEvents source');
  }

  /** Validates, builds and queues the events in the caller's transaction; returns the built CloudEvents. */
  append(tx: Tx, events: OutboxEvent | readonly OutboxEvent[]): BuiltEvent<unknown>[] {
    const list: readonly OutboxEvent[] = Array.isArray(events) ? events : [events as OutboxEvent];
    // Every event is validated and encoded before anything is queued: one bad event leaves the
    // transaction's batch as it was.
    const { built, records } = this.encode(list);
    if (records.length === 0) return built;
    // One INSERT whatever the number of events, sent with the transaction's other queued writes.
    tx.write((p) => outboxInsertSql(records, p));
    // pg_notify is delivered at commit (never on rollback), and the unit of work folds identical
    // signals of one batch into one.
    if (this.options.notify !== false) tx.signal(OUTBOX_NOTIFY_SQL);
    return built;
  }

  private encode(list: readonly OutboxEvent[]): { built: BuiltEvent<unknown>[]; records: OutboxRecord[] } {
    const built = list.map((e) =>
      buildEvent(e.definition, e.data, {
        source: this.options.source,
        ...(e.id !== undefined ? { id: e.id } : {}),
        ...(e.time !== undefined ? { time: e.time } : {}),
      }),
    );
    return { built, records: built.map((b, i) => toRecord(list[i]?.definition.topic.name ?? '', b)) };
  }
}

/** A row as the relay will send it. */
interface OutboxRecord {
  readonly topic: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: Buffer;
}

/** An event read back from a queued outbox INSERT, as the relay would publish it. */
export interface QueuedOutboxEvent {
  readonly topic: string;
  /** The Kafka message key. */
  readonly key: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/**
 * The events one statement queued on a `Tx` carries: the inverse of the INSERT `append` queues, none
 * for any other statement. For tests that capture a transaction's writes instead of sending them (the
 * in-memory unit of work of @lienthong/testing takes it as its `events` decoder).
 */
export function outboxEventsOf(write: { readonly sql: string; readonly params: readonly unknown[] }): QueuedOutboxEvent[] {
  if (!write.sql.startsWith(`INSERT INTO ${OUTBOX_TABLE} `)) return [];
  const [topics, keys, headers, values] = write.params as [string[], string[], string[], Buffer[]];
  return topics.map((topic, i) => {
    const event = decodeCloudEvent({ headers: JSON.parse(headers[i] ?? '{}') as Record<string, string>, value: values[i] ?? null });
    return { topic, key: keys[i] ?? '', type: event.type, data: event.data as Record<string, unknown> };
  });
}

function outboxInsertSql(records: readonly OutboxRecord[], p: SqlParam): string {
  return `INSERT INTO ${OUTBOX_TABLE} (topic, key, headers, value)
    SELECT * FROM unnest(${p(records.map((r) => r.topic))}::text[], ${p(records.map((r) => r.key))}::text[], ${p(
      records.map((r) => JSON.stringify(r.headers)),
    )}::jsonb[], ${p(records.map((r) => r.value))}::bytea[])`;
}

function toRecord(topic: string, built: BuiltEvent<unknown>): OutboxRecord {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const encoded = encodeCloudEvent(built.event, built.key, {
    ...(carrier['traceparent'] ? { traceparent: carrier['traceparent'] } : {}),
    ...(carrier['tracestate'] ? { tracestate: carrier['tracestate'] } : {}),
  });
  // Other propagated fields (baggage) ride along; CloudEvents headers always win.
  return { topic, key: encoded.key, value: encoded.value, headers: { ...carrier, ...encoded.headers } };
}
