import { dlqTopicFor, encodeCloudEvent, buildEvent } from '@lienthong/contracts';
import { context, propagation, trace, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  collectMessages,
  createTestDatabase,
  deleteTestTopics,
  expectEventually,
  spawnTsProcess,
  testKafka,
  uniqueName,
  type TestDatabase,
} from '@lienthong/testing';
import { type Kafka, type Producer } from 'kafkajs';
import { v4 as uuidv4 } from 'uuid';
import { type DataSource } from 'typeorm';
import { NonRetryableError } from '../src/inbox/dead-letter';
import { InboxConsumer, type InboxConsumerOptions, type InboxOutcome } from '../src/inbox/inbox-consumer';
import { createProducer } from '../src/kafka/producer';
import { provisionTopics } from '../src/kafka/provision-topics';
import { silentLogger } from '../src/shared/logger';
import { openDataSource, readEffects, recordEffect, testTopic, thingEvent, type ThingData, type ThingEvent } from './fixtures';

describe('inbox consumer (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  const topics: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('inbox');
    dataSource = await openDataSource(db.url);
    kafka = testKafka('inbox-int');
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await dataSource?.destroy();
    await db?.drop();
    await deleteTestTopics(topics);
  });

  async function freshTopic(partitions = 1): Promise<ThingEvent> {
    const spec = testTopic(uniqueName('lt.inbox'), partitions);
    await provisionTopics(kafka, [spec, dlqTopicFor(spec)], { logger: silentLogger });
    topics.push(spec.name, `${spec.name}.dlq`);
    return thingEvent(spec);
  }

  const thing = (overrides: Partial<ThingData> = {}): ThingData => ({ key: uuidv4(), seq: 0, doomed: false, behaviour: 'ok', ...overrides });

  async function publish(Thing: ThingEvent, data: ThingData, trace: { traceparent?: string } = {}) {
    const { event, key } = buildEvent(Thing, data, { source: '/lienthong/test' });
    await producer.send({ topic: Thing.topic.name, messages: [encodeCloudEvent(event, key, trace)] });
    return event.id;
  }

  function consumerFor(Thing: ThingEvent, options: Partial<InboxConsumerOptions> & { name?: string; onHandle?: (d: ThingData, attempt: number) => void } = {}) {
    const name = options.name ?? uniqueName('inbox');
    const outcomes: InboxOutcome[] = [];
    const consumer = new InboxConsumer({
      kafka,
      dataSource,
      groupId: name,
      fromBeginning: true,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100, multiplier: 2, jitter: 0 },
      logger: silentLogger,
      metrics: { processed: (_t, _type, outcome) => outcomes.push(outcome) },
      ...options,
    });
    consumer.on(Thing, async (event, { manager, attempt }) => {
      options.onHandle?.(event.data, attempt);
      await recordEffect(name, event, manager);
      switch (event.data.behaviour) {
        case 'ok':
          return;
        case 'fail-always':
          throw new Error(`handler bug for seq ${event.data.seq}`);
        case 'fail-once':
          if (attempt === 1) throw new Error('transient trouble');
          return;
        case 'reject':
          throw new NonRetryableError('this event can never be applied');
      }
    });
    return { consumer, name, outcomes };
  }

  it('sends poison messages to the DLQ with the reason, keeps going, and retries transient failures', async () => {
    const Thing = await freshTopic();
    const dlq = await collectMessages([`${Thing.topic.name}.dlq`], uniqueName('dlq'));
    cleanups.push(() => dlq.stop());
    const attempts = new Map<number, number>();
    const { consumer, name } = consumerFor(Thing, { onHandle: (d, attempt) => attempts.set(d.seq, attempt) });

    // 1: not a CloudEvent at all.
    await producer.send({ topic: Thing.topic.name, messages: [{ key: 'k1', value: 'garbage', headers: { 'x-origin': 'test' } }] });
    // 2: a CloudEvent whose data breaks the schema.
    const bad = encodeCloudEvent(buildEvent(Thing, thing({ seq: 2 }), { source: '/t' }).event, 'k2');
    await producer.send({ topic: Thing.topic.name, messages: [{ ...bad, value: Buffer.from(JSON.stringify({ key: 'not-a-uuid', seq: -1 })) }] });
    // 3: the handler always fails; 4: it rejects; 5: fails once then succeeds; 6: fine.
    const failing = await publish(Thing, thing({ seq: 3, behaviour: 'fail-always' }));
    await publish(Thing, thing({ seq: 4, behaviour: 'reject' }));
    const flaky = await publish(Thing, thing({ seq: 5, behaviour: 'fail-once' }));
    const fine = await publish(Thing, thing({ seq: 6 }));
    await consumer.start();
    cleanups.push(() => consumer.stop());

    await expectEventually(async () => expect((await readEffects(dataSource, name)).map((e) => e.event_id)).toEqual([flaky, fine]));
    await expectEventually(() => expect(dlq.messages).toHaveLength(4));
    const header = (i: number, h: string) => dlq.messages[i]?.message.headers?.[h]?.toString();
    expect(dlq.messages.map((_, i) => header(i, 'dlq-reason'))).toEqual(['envelope', 'schema', 'handler-failed', 'handler-rejected']);
    for (let i = 0; i < 4; i++) {
      expect(header(i, 'dlq-original-topic')).toBe(Thing.topic.name);
      expect(header(i, 'dlq-original-partition')).toBe('0');
      expect(header(i, 'dlq-original-offset')).toBe(String(i));
      expect(header(i, 'dlq-consumer')).toBe(name);
      expect(new Date(header(i, 'dlq-failed-at') ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);
    }
    // Key, value and original headers preserved.
    expect(dlq.messages[0]?.message.key?.toString()).toBe('k1');
    expect(dlq.messages[0]?.message.value?.toString()).toBe('garbage');
    expect(header(0, 'x-origin')).toBe('test');
    expect(header(1, 'dlq-error')).toMatch(/key/);
    expect(header(2, 'ce_id')).toBe(failing);
    expect(header(2, 'dlq-error')).toBe('Error: handler bug for seq 3');
    expect(header(2, 'dlq-attempts')).toBe('3');
    expect(header(3, 'dlq-attempts')).toBe('1');
    // Bounded retries: 3 attempts for the failing handler, 1 for the rejected event, 2 for the flaky one.
    expect(attempts.get(3)).toBe(3);
    expect(attempts.get(4)).toBe(1);
    expect(attempts.get(5)).toBe(2);
  });

  it('applies a redelivered event once when the consumer dies before committing its offsets', async () => {
    const Thing = await freshTopic(2);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await publish(Thing, thing({ seq: 0 })));
    const group = uniqueName('inbox');

    const doomed = spawnTsProcess('libs/messaging/test/consumer-process.ts', {
      OUTBOX_DB_URL: db.url,
      CONSUMER_GROUP: group,
      CONSUMER_TOPIC: JSON.stringify(Thing.topic),
      KILL_AFTER_APPLIED: '25',
    });
    cleanups.push(async () => void (await doomed.kill()));
    expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await readEffects(dataSource, group)).length).toBe(25);
    const committed = kafka.admin();
    await committed.connect();
    const offsets = await committed.fetchOffsets({ groupId: group, topics: [Thing.topic.name] });
    await committed.disconnect();
    const committedCount = offsets[0]?.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) ?? 0;
    expect(committedCount).toBeLessThan(25);

    // Same group, new consumer: everything after the committed offsets comes again.
    const { consumer, outcomes } = consumerFor(Thing, { name: group });
    await consumer.start();
    cleanups.push(() => consumer.stop());
    await expectEventually(async () => expect((await readEffects(dataSource, group)).length).toBe(40));
    await expectEventually(() => expect(outcomes.filter((o) => o === 'duplicate').length).toBe(25 - committedCount));
    const effects = await readEffects(dataSource, group);
    expect(new Set(effects.map((e) => e.event_id))).toEqual(new Set(ids));
  });

  it('commits offsets on graceful stop: a successor in the group re-reads nothing', async () => {
    const Thing = await freshTopic(2);
    for (let i = 0; i < 20; i++) await publish(Thing, thing());
    const group = uniqueName('inbox');
    const first = consumerFor(Thing, { name: group, autoCommitIntervalMs: 600_000, autoCommitThreshold: 1_000_000 });
    await first.consumer.start();
    await expectEventually(() => expect(first.outcomes).toHaveLength(20));
    await first.consumer.stop();

    for (let i = 0; i < 5; i++) await publish(Thing, thing());
    const second = consumerFor(Thing, { name: group });
    await second.consumer.start();
    cleanups.push(() => second.consumer.stop());
    await expectEventually(() => expect(second.outcomes).toHaveLength(5));
    expect(second.outcomes).toEqual(Array(5).fill('applied'));
  });

  it('runs the handler in the trace context carried by the message headers', async () => {
    const Thing = await freshTopic();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const seen: string[] = [];
    const w3c: TextMapPropagator = {
      inject: () => undefined,
      extract: (ctx, carrier, getter) => {
        const value = getter.get(carrier, 'traceparent');
        const tp = Array.isArray(value) ? value[0] : value;
        const [, traceId, spanId] = tp?.split('-') ?? [];
        return traceId && spanId ? trace.setSpanContext(ctx, { traceId, spanId, traceFlags: 1, isRemote: true }) : ctx;
      },
      fields: () => ['traceparent'],
    };
    propagation.setGlobalPropagator(w3c);
    // What the platform's tracing bootstrap registers; without it only ctx.traceContext carries the trace.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    cleanups.push(async () => {
      propagation.disable();
      context.disable();
    });
    const name = uniqueName('inbox');
    const consumer = new InboxConsumer({ kafka, dataSource, groupId: name, fromBeginning: true, logger: silentLogger });
    consumer.on(Thing, async (_event, { traceContext }) => {
      seen.push(trace.getSpanContext(traceContext)?.traceId ?? 'none', trace.getSpanContext(context.active())?.traceId ?? 'none');
    });
    await publish(Thing, thing(), { traceparent });
    await consumer.start();
    cleanups.push(() => consumer.stop());
    await expectEventually(() => expect(seen).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736', '4bf92f3577b34da6a3ce929d0e0e4736']));
  });
});
