import { buildEvent, encodeCloudEvent, type BuiltEvent, type EventData, type EventDefinition } from '@lienthong/contracts';
import { context, propagation } from '@opentelemetry/api';
import { type EntityManager } from 'typeorm';
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

/** A row as the relay will send it. */
export interface OutboxRecord {
  readonly topic: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly value: Buffer;
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

/**
 * Appends events to the outbox inside the caller's transaction, so the domain change and its events
 * commit or roll back together:
 *
 *   await dataSource.transaction(async (manager) => {
 *     await manager.save(patient);
 *     await outbox.append(manager, outboxEvent(PatientRegisteredV1, { … }));
 *   });
 *
 * The current W3C trace context is stored with each event, so the consumer's span continues the
 * producing request's trace even though the relay sends it later from another process.
 */
export class OutboxWriter {
  constructor(private readonly options: OutboxWriterOptions) {
    if (!options.source) throw new Error('OutboxWriter needs a CloudEvents source');
  }

  /** Validates, builds and appends events; returns the built CloudEvents (ids, times) in order. */
  async append(manager: EntityManager, events: OutboxEvent | readonly OutboxEvent[]): Promise<BuiltEvent<unknown>[]> {
    const { built, records } = this.encode(events);
    await this.appendRecords(manager, records);
    return built;
  }

  /**
   * Validates, builds and encodes events into outbox rows without writing them, for a caller that
   * sends its own statements in one round trip (see `outboxInsertSql`). Same rows as `append`.
   */
  encode(events: OutboxEvent | readonly OutboxEvent[]): { built: BuiltEvent<unknown>[]; records: OutboxRecord[] } {
    const list: readonly OutboxEvent[] = Array.isArray(events) ? events : [events as OutboxEvent];
    const built = list.map((e) =>
      buildEvent(e.definition, e.data, {
        source: this.options.source,
        ...(e.id !== undefined ? { id: e.id } : {}),
        ...(e.time !== undefined ? { time: e.time } : {}),
      }),
    );
    return { built, records: built.map((b, i) => toRecord(list[i]?.definition.topic.name ?? '', b)) };
  }

  /** Whether appends wake the relay with pg_notify at commit. */
  get notifies(): boolean {
    return this.options.notify !== false;
  }

  /** Appends events already built with `buildEvent` (e.g. by a domain object) for one definition. */
  async appendBuilt(manager: EntityManager, definition: EventDefinition, events: BuiltEvent<unknown> | readonly BuiltEvent<unknown>[]): Promise<void> {
    const list: readonly BuiltEvent<unknown>[] = Array.isArray(events) ? events : [events as BuiltEvent<unknown>];
    for (const b of list) {
      if (b.event.type !== definition.type) {
        throw new Error(`event of type "${b.event.type}" appended with definition "${definition.type}"`);
      }
    }
    await this.appendRecords(
      manager,
      list.map((b) => toRecord(definition.topic.name, b)),
    );
  }

  /** Low level: appends encoded records as they are. Must run inside a transaction. */
  async appendRecords(manager: EntityManager, records: readonly OutboxRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Outside a transaction the row would commit on its own, before (or without) the domain change:
    // exactly what the outbox exists to prevent.
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.append must be called with the EntityManager of an open transaction');
    }
    // One round trip whatever the number of events; pg_notify is queued and delivered at commit
    // (never on rollback), and identical notifications in one transaction are folded into one.
    const values: unknown[] = [];
    const insert = outboxInsertSql(records, (v) => {
      values.push(v);
      return `$${values.length}`;
    });
    await manager.query(
      `WITH appended AS (${insert} RETURNING id)
       SELECT count(*) AS appended${this.notifies ? `, ${OUTBOX_NOTIFY_SQL}` : ''} FROM appended`,
      values,
    );
  }
}

/** Wakes the relay; queued by Postgres and delivered only if the transaction commits. */
export const OUTBOX_NOTIFY_SQL = `pg_notify('${OUTBOX_CHANNEL}', '')`;

/**
 * The INSERT that appends encoded records in one statement; `param` turns each array into a
 * placeholder of the caller's statement (so it can be one CTE of a larger batch).
 */
export function outboxInsertSql(records: readonly OutboxRecord[], param: (values: unknown[]) => string): string {
  return `INSERT INTO ${OUTBOX_TABLE} (topic, key, headers, value)
    SELECT * FROM unnest(${param(records.map((r) => r.topic))}::text[], ${param(records.map((r) => r.key))}::text[], ${param(
      records.map((r) => JSON.stringify(r.headers)),
    )}::jsonb[], ${param(records.map((r) => r.value))}::bytea[])`;
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
