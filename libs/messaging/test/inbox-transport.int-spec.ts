import 'reflect-metadata';
import { buildEvent, dlqTopicFor, encodeCloudEvent, type EncodedRecord } from '@lienthong/contracts';
import { DomainError, ErrorCode } from '@lienthong/platform';
import { collectMessages, createTestDatabase, deleteTestTopics, expectEventually, testKafka, uniqueName, type TestDatabase } from '@lienthong/testing';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Kafka, type Producer } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import { createProducer } from '../src/kafka/producer';
import { provisionTopics } from '../src/kafka/provision-topics';
import { type InboxContext } from '../src/nest/inbox-context';
import { InboxTransport } from '../src/nest/inbox.transport';
import { InboxTransportModule } from '../src/nest/inbox-transport.module';
import { OnEvent, type InboxEvent } from '../src/nest/on-event.decorator';
import { silentLogger } from '../src/shared/logger';
import { openDataSource, readEffects, testTopic, thingEvent, type ThingData, type ThingEvent } from './fixtures';

/**
 * The inbox transport in a real Nest app (hybrid, as bootstrapService connects it) against the real
 * Kafka and Postgres: a handler is a decorated method, and everything around it is the inbox's.
 */
describe('InboxTransport (@nestjs/microservices over the inbox)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  const topics: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('inboxnest');
    dataSource = await openDataSource(db.url);
    kafka = testKafka('inbox-nest-int');
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await dataSource?.destroy();
    await db?.drop();
    await deleteTestTopics(topics);
  });

  const thing = (overrides: Partial<ThingData> = {}): ThingData => ({ key: uuidv4(), seq: 0, doomed: false, behaviour: 'ok', ...overrides });
  const record = (Thing: ThingEvent, data: ThingData): EncodedRecord => {
    const { event, key } = buildEvent(Thing, data, { source: '/lienthong/test' });
    return encodeCloudEvent(event, key);
  };

  /** A tiny service whose only consumer is `consumer`, started the way bootstrapService starts one. */
  async function startApp(consumer: new (...args: never[]) => unknown, groupId: string, events: ThingEvent[] = []): Promise<NestFastifyApplication> {
    @Module({
      imports: [
        InboxTransportModule.forRootAsync({
          useFactory: () => ({
            kafka,
            dataSource,
            groupId,
            events,
            fromBeginning: true,
            sessionTimeoutMs: 10_000,
            heartbeatIntervalMs: 1_000,
            retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100, multiplier: 2, jitter: 0 },
            logger: silentLogger,
          }),
        }),
      ],
      controllers: [consumer],
    })
    class AppModule {}
    const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false });
    app.connectMicroservice({ strategy: app.get(InboxTransport) });
    await app.init();
    try {
      await app.startAllMicroservices();
    } catch (error) {
      await app.close();
      throw error;
    }
    return app;
  }

  it('validates from the contract, applies duplicates once, dead-letters poison with reasons and keeps going', async () => {
    const spec = testTopic(uniqueName('lt.inboxnest'), 1);
    await provisionTopics(kafka, [spec, dlqTopicFor(spec)], { logger: silentLogger });
    topics.push(spec.name, `${spec.name}.dlq`);
    const Thing = thingEvent(spec);
    const group = uniqueName('inbox-nest');
    const attempts = new Map<number, number>();

    @Controller()
    class ThingConsumer {
      @OnEvent(Thing)
      async onThing(@Payload() event: InboxEvent<ThingEvent>, @Ctx() ctx: InboxContext): Promise<void> {
        attempts.set(event.data.seq, ctx.attempt);
        // Through the unit-of-work handle: queued, sent before the inbox commits.
        ctx.tx.write(
          (p) =>
            `INSERT INTO effects (consumer, event_id, key, seq, doomed) VALUES (${p(group)}, ${p(event.id)}, ${p(event.data.key)}, ${p(event.data.seq)}, false)`,
        );
        switch (event.data.behaviour) {
          case 'ok':
            return;
          case 'fail-always':
            throw new Error(`handler bug for seq ${event.data.seq}`);
          case 'fail-once':
            if (ctx.attempt === 1) throw new Error('transient trouble');
            return;
          case 'reject':
            throw new DomainError(ErrorCode.Conflict, { detail: 'this event contradicts what we hold' });
        }
      }
    }

    const dlq = await collectMessages([`${spec.name}.dlq`], uniqueName('dlq'));
    const first = record(Thing, thing({ seq: 1 }));
    const invalid = record(Thing, thing({ seq: 2 }));
    await producer.send({
      topic: spec.name,
      messages: [
        first,
        first, // redelivered: same CloudEvent id
        { ...invalid, value: Buffer.from(JSON.stringify({ key: 'not-a-uuid', seq: -1 })) },
        record(Thing, thing({ seq: 3, behaviour: 'fail-always' })),
        record(Thing, thing({ seq: 4, behaviour: 'reject' })),
        record(Thing, thing({ seq: 5, behaviour: 'fail-once' })),
        record(Thing, thing({ seq: 6 })),
      ],
    });
    const app = await startApp(ThingConsumer, group);
    try {
      await expectEventually(async () => expect((await readEffects(dataSource, group)).map((e) => e.seq)).toEqual([1, 5, 6]));
      await expectEventually(() => expect(dlq.messages).toHaveLength(3));
      const header = (i: number, h: string) => dlq.messages[i]?.message.headers?.[h]?.toString();
      expect(dlq.messages.map((_, i) => header(i, 'dlq-reason'))).toEqual(['schema', 'handler-failed', 'conflict']);
      expect(dlq.messages.map((_, i) => header(i, 'dlq-consumer'))).toEqual([group, group, group]);
      // The handler's own error reaches the DLQ (not Nest's generic "Internal server error").
      expect(header(1, 'dlq-error')).toBe('Error: handler bug for seq 3');
      expect(header(2, 'dlq-error')).toBe('DomainError: this event contradicts what we hold');
      // Bounded retries for a bug, none for a domain rejection, one retry for a transient failure.
      expect([attempts.get(3), attempts.get(4), attempts.get(5)]).toEqual([3, 1, 2]);
      expect(attempts.has(2)).toBe(false);
    } finally {
      await app.close();
      await dlq.stop();
    }
  });

  it('reports group membership for readiness, and leaves the group on close', async () => {
    const spec = testTopic(uniqueName('lt.inboxnest'), 1);
    await provisionTopics(kafka, [spec, dlqTopicFor(spec)], { logger: silentLogger });
    topics.push(spec.name, `${spec.name}.dlq`);
    const Thing = thingEvent(spec);
    const group = uniqueName('inbox-nest');

    // A bare @EventPattern works too when the transport is given the definition.
    @Controller()
    class BareConsumer {
      @EventPattern(Thing.type)
      async onThing(@Payload() event: InboxEvent<ThingEvent>, @Ctx() ctx: InboxContext): Promise<void> {
        await ctx.manager.query('INSERT INTO effects (consumer, event_id, key, seq, doomed) VALUES ($1, $2, $3, $4, false)', [group, event.id, event.data.key, event.data.seq]);
      }
    }

    const app = await startApp(BareConsumer, group, [Thing]);
    const ready = app.get(InboxTransport).healthCheck();
    try {
      await expectEventually(() => ready.check());
      await producer.send({ topic: spec.name, messages: [record(Thing, thing({ seq: 7 }))] });
      await expectEventually(async () => expect((await readEffects(dataSource, group)).map((e) => e.seq)).toEqual([7]));
    } finally {
      await app.close();
    }
    await expect(ready.check()).rejects.toThrow(/not joined/);
  });

  it('refuses to start a handler whose pattern has no contract definition', async () => {
    @Controller()
    class Unvalidated {
      @EventPattern('vn.lienthong.test.unknown.happened')
      onUnknown(): void {
        return undefined;
      }
    }
    await expect(startApp(Unvalidated, uniqueName('inbox-nest'))).rejects.toThrow(/no contract definition/);
  });
});
