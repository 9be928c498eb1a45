import {
  decodeCloudEvent,
  dlqTopicName,
  EnvelopeError,
  EventValidationError,
  parseEventData,
  type CloudEvent,
  type EventData,
  type EventDefinition,
  type TraceHeaders,
} from '@lienthong/contracts';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import { type Consumer, type IHeaders, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { type DataSource, type EntityManager } from 'typeorm';
import { ACKS_ALL, createProducer } from '../kafka/producer';
import { backoffDelay, DEFAULT_BACKOFF, interruptibleSleep, type BackoffOptions } from '../shared/backoff';
import { errorFields, stderrLogger, type MessagingLogger } from '../shared/logger';
import { deadLetterHeaders, isTransientInfrastructureError, NonRetryableError, type DeadLetterReason } from './dead-letter';
import { INBOX_TABLE } from './inbox.schema';

export interface InboxMessageContext {
  /** The inbox transaction: write the handler's effects with it, and only with it. */
  readonly manager: EntityManager;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly headers: IHeaders;
  /** 1 on first delivery to the handler, 2 on the first retry, … */
  readonly attempt: number;
  /**
   * Trace context of the processing span, child of the one extracted from the message headers. Also
   * the active context while the handler runs when a context manager is registered (OTel SDK).
   */
  readonly traceContext: Context;
}

export type InboxHandler<D extends EventDefinition> = (event: CloudEvent<EventData<D>> & TraceHeaders, ctx: InboxMessageContext) => Promise<void>;

export type InboxOutcome = 'applied' | 'duplicate' | 'skipped' | 'dead-lettered';

export interface InboxConsumerMetrics {
  /** After the outcome is durable (inbox committed or DLQ acknowledged), before the offset is resolved. */
  processed?(topic: string, type: string | undefined, outcome: InboxOutcome, seconds: number): void;
  retried?(topic: string, type: string, attempt: number): void;
}

export interface InboxRetryOptions extends BackoffOptions {
  /** Handler attempts before the message goes to the DLQ (default 5). */
  readonly maxAttempts: number;
}

export interface InboxConsumerOptions {
  readonly kafka: Kafka;
  readonly dataSource: DataSource;
  readonly groupId: string;
  /** Name recorded in the inbox and in `dlq-consumer`; defaults to the group id. */
  readonly consumerName?: string;
  readonly retry?: Partial<InboxRetryOptions>;
  /** What to do with a type that has no handler on a subscribed topic (default: skip it). */
  readonly unknownTypes?: 'skip' | 'dead-letter';
  readonly fromBeginning?: boolean;
  /** Partitions processed in parallel; order is per partition (default 1). */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Offsets of processed messages are committed at least this often (ms, default 1000)… */
  readonly autoCommitIntervalMs?: number;
  /** …or every this many messages (default 100), and always at the end of a fetched batch. */
  readonly autoCommitThreshold?: number;
  readonly metrics?: InboxConsumerMetrics;
  readonly logger?: MessagingLogger;
  /**
   * Names handler errors that retrying cannot fix (a domain rule the event breaks): the returned
   * string becomes `dlq-reason` and the message is dead-lettered at once. `undefined` means retry.
   * NonRetryableError is always permanent (`handler-rejected`).
   */
  readonly rejectionReason?: (error: unknown) => string | undefined;
}

interface Route {
  readonly definition: EventDefinition;
  readonly handle: (event: CloudEvent<unknown> & TraceHeaders, ctx: InboxMessageContext) => Promise<void>;
}

const headerGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
  },
};

const tracer = trace.getTracer('@lienthong/messaging');

type Step = 'done' | 'aborted';

/**
 * Consumes events at least once and applies each exactly once:
 *
 * 1. decode the CloudEvent and validate its data against the definition registered for its type —
 *    a broken envelope or payload is permanent and goes straight to `<topic>.dlq`;
 * 2. in ONE Postgres transaction, insert (consumer, event id) into the inbox (`ON CONFLICT DO
 *    NOTHING`: a redelivered event is skipped) and run the handler with that transaction;
 * 3. after the commit, mark the offset processed; offsets are committed to Kafka only for
 *    processed messages, so a crash anywhere means redelivery, never loss, and the inbox turns the
 *    redelivery into a no-op.
 *
 * A failing handler is retried with exponential backoff (the partition waits: order is kept), then
 * dead-lettered with the error; the consumer moves on and never stops on a poison message. Database
 * outages (connection errors) are retried without limit instead, so they do not empty a topic
 * into its DLQ.
 */
export class InboxConsumer {
  private readonly routes = new Map<string, Route>();
  private readonly consumerName: string;
  private readonly retry: InboxRetryOptions;
  private readonly logger: MessagingLogger;
  private readonly metrics: InboxConsumerMetrics;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private abort = new AbortController();
  private joined = false;

  constructor(private readonly options: InboxConsumerOptions) {
    this.consumerName = options.consumerName ?? options.groupId;
    this.retry = { ...DEFAULT_BACKOFF, maxAttempts: 5, ...options.retry };
    if (!Number.isInteger(this.retry.maxAttempts) || this.retry.maxAttempts < 1) throw new Error('retry.maxAttempts must be ≥ 1');
    this.logger = options.logger ?? stderrLogger;
    this.metrics = options.metrics ?? {};
  }

  /** Registers the handler for one event type; its topic is subscribed on start(). */
  on<D extends EventDefinition>(definition: D, handler: InboxHandler<D>): this {
    if (this.consumer) throw new Error('register handlers before start()');
    if (this.routes.has(definition.type)) throw new Error(`a handler for "${definition.type}" is already registered`);
    this.routes.set(definition.type, { definition, handle: handler as Route['handle'] });
    return this;
  }

  /** True while the consumer is a member of its group (after a join, until a crash or stop): readiness. */
  get inGroup(): boolean {
    return this.joined;
  }

  get topics(): string[] {
    return [...new Set([...this.routes.values()].map((r) => r.definition.topic.name))];
  }

  async start(): Promise<void> {
    if (this.consumer) throw new Error('InboxConsumer already started');
    if (this.routes.size === 0) throw new Error('InboxConsumer has no handlers');
    this.abort = new AbortController();
    const { kafka } = this.options;
    this.producer = createProducer(kafka);
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    this.joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => void (this.joined = true));
    consumer.on(consumer.events.CRASH, () => void (this.joined = false));
    consumer.on(consumer.events.STOP, () => void (this.joined = false));
    await this.producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: this.options.autoCommitIntervalMs ?? 1_000,
      autoCommitThreshold: this.options.autoCommitThreshold ?? 100,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale() || this.abort.signal.aborted) break;
          const step = await this.process(batch.topic, batch.partition, message, heartbeat);
          if (step === 'aborted') break;
          // Only now may the offset be committed: the outcome is durable.
          resolveOffset(message.offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        // kafkajs commits every resolved offset when eachBatch returns (also while stopping).
      },
    });
  }

  /** Lets the message in flight finish, commits processed offsets, leaves the group, disconnects. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.joined = false;
    const consumer = this.consumer;
    const producer = this.producer;
    this.consumer = undefined;
    this.producer = undefined;
    await consumer?.disconnect();
    await producer?.disconnect();
  }

  private async process(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<Step> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    const where = { topic, partition, offset: message.offset };
    let event: CloudEvent & TraceHeaders;
    try {
      event = decodeCloudEvent(message);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      return this.deadLetter(where, message, 'envelope', error, 0, undefined, seconds);
    }
    const route = this.routes.get(event.type);
    if (!route) {
      if (this.options.unknownTypes === 'dead-letter') {
        return this.deadLetter(where, message, 'unknown-type', new Error(`no handler for event type "${event.type}"`), 0, event.type, seconds);
      }
      this.metrics.processed?.(topic, event.type, 'skipped', seconds());
      return 'done';
    }
    let data: unknown;
    try {
      data = parseEventData(route.definition, event.data);
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      return this.deadLetter(where, message, 'schema', error, 0, event.type, seconds);
    }
    const typed = { ...event, data };
    const traceContext = propagation.extract(ROOT_CONTEXT, message.headers ?? {}, headerGetter);
    let outages = 0;
    for (let attempt = 1; ; ) {
      try {
        const outcome = await this.applyOnce(route, typed, { ...where, message, attempt, traceContext });
        this.metrics.processed?.(topic, event.type, outcome, seconds());
        return 'done';
      } catch (error) {
        if (isTransientInfrastructureError(error)) {
          outages += 1;
          this.logger.warn('inbox: database unavailable, retrying (not counted as an attempt)', { ...where, outages, ...errorFields(error) });
          if (!(await this.pause(backoffDelay(Math.min(outages, 10), this.retry), heartbeat))) return 'aborted';
          continue;
        }
        const rejected = error instanceof NonRetryableError ? 'handler-rejected' : this.options.rejectionReason?.(error);
        if (rejected !== undefined) {
          return this.deadLetter(where, message, rejected, error, attempt, event.type, seconds);
        }
        if (attempt >= this.retry.maxAttempts) {
          return this.deadLetter(where, message, 'handler-failed', error, attempt, event.type, seconds);
        }
        this.metrics.retried?.(topic, event.type, attempt);
        this.logger.warn('inbox: handler failed, will retry', { ...where, type: event.type, attempt, ...errorFields(error) });
        if (!(await this.pause(backoffDelay(attempt, this.retry), heartbeat))) return 'aborted';
        attempt += 1;
      }
    }
  }

  private async applyOnce(
    route: Route,
    event: CloudEvent<unknown> & TraceHeaders,
    at: { topic: string; partition: number; offset: string; message: KafkaMessage; attempt: number; traceContext: Context },
  ): Promise<'applied' | 'duplicate'> {
    // The parent context is passed explicitly: without a registered context manager (no SDK)
    // `context.with` is a no-op, and the handler must still receive the producer's trace.
    return tracer.startActiveSpan(
      `${at.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': at.topic,
          'messaging.destination.partition.id': String(at.partition),
          'messaging.kafka.offset': Number(at.offset),
          'messaging.consumer.group.name': this.options.groupId,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
        },
      },
      at.traceContext,
      async (span) => {
        const traceContext = trace.setSpan(at.traceContext, span);
        try {
          const outcome = await this.options.dataSource.transaction(async (manager) => {
            const inserted: unknown[] = await manager.query(
              `INSERT INTO ${INBOX_TABLE} (consumer, event_id, event_type, event_source, topic, "partition", "offset")
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (consumer, event_id) DO NOTHING
               RETURNING 1 AS inserted`,
              [this.consumerName, event.id, event.type, event.source, at.topic, at.partition, at.offset],
            );
            if (inserted.length === 0) return 'duplicate' as const;
            await route.handle(event, {
              manager,
              topic: at.topic,
              partition: at.partition,
              offset: at.offset,
              key: at.message.key?.toString() ?? null,
              headers: at.message.headers ?? {},
              attempt: at.attempt,
              traceContext,
            });
            return 'applied' as const;
          });
          span.setAttribute('lienthong.inbox.outcome', outcome);
          return outcome;
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async deadLetter(
    where: { topic: string; partition: number; offset: string },
    message: KafkaMessage,
    reason: DeadLetterReason | string,
    error: unknown,
    attempts: number,
    type: string | undefined,
    seconds: () => number,
  ): Promise<Step> {
    const headers = deadLetterHeaders(message.headers, {
      reason,
      error,
      ...where,
      consumer: this.consumerName,
      failedAt: new Date(),
      attempts,
    });
    const dlq = dlqTopicName(where.topic);
    this.logger.error('inbox: message dead-lettered', { ...where, dlq, reason, type, attempts, ...errorFields(error) });
    for (let failures = 0; ; ) {
      const producer = this.producer;
      if (!producer) return 'aborted';
      try {
        await producer.send({ topic: dlq, acks: ACKS_ALL, messages: [{ key: message.key, value: message.value, headers }] });
        this.metrics.processed?.(where.topic, type, 'dead-lettered', seconds());
        return 'done';
      } catch (sendError) {
        // The offset must not move past a message that is neither processed nor dead-lettered.
        failures += 1;
        this.logger.error('inbox: could not write to the DLQ, retrying', { ...where, dlq, failures, ...errorFields(sendError) });
        if (!(await interruptibleSleep(backoffDelay(Math.min(failures, 10), this.retry), this.abort.signal))) return 'aborted';
      }
    }
  }

  /** Waits, heartbeating so a long backoff is not mistaken for a dead consumer. False if stopped. */
  private async pause(ms: number, heartbeat: () => Promise<void>): Promise<boolean> {
    const step = Math.max(100, Math.floor((this.options.heartbeatIntervalMs ?? 3_000) / 2));
    for (let left = ms; left > 0; left -= step) {
      if (!(await interruptibleSleep(Math.min(step, left), this.abort.signal))) return false;
      await heartbeat();
    }
    return !this.abort.signal.aborted;
  }
}

/** Deletes inbox rows older than `before`; safe once older than the topics' retention. Returns the count. */
export async function pruneInbox(dataSource: DataSource, before: Date): Promise<number> {
  const result: unknown = await dataSource.query(`DELETE FROM ${INBOX_TABLE} WHERE processed_at < $1`, [before]);
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
