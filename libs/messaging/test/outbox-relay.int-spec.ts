import { dlqTopicFor } from '@lienthong/contracts';
import { TypeormUnitOfWork } from '@lienthong/persistence';
import { collectMessages, createTestDatabase, deleteTestTopics, expectEventually, testKafka, uniqueName, type TestDatabase } from '@lienthong/testing';
import { type Kafka } from 'kafkajs';
import { v4 as uuidv4 } from 'uuid';
import { type DataSource } from 'typeorm';
import { InboxConsumer } from '../src/inbox/inbox-consumer';
import { provisionTopics } from '../src/kafka/provision-topics';
import { OutboxRelay, type OutboxRelayOptions } from '../src/outbox/outbox-relay';
import { outboxEvent, OutboxWriter } from '../src/outbox/outbox-writer';
import { silentLogger } from '../src/shared/logger';
import { openDataSource, readEffects, recordEffect, testTopic, thingEvent, type ThingEvent } from './fixtures';
import { assertEffectsExactlyOnceInOrder, checkWire, runWorkload } from './workload';

describe('outbox relay (real Postgres + Kafka)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let uow: TypeormUnitOfWork;
  let kafka: Kafka;
  const topics: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('outbox');
    dataSource = await openDataSource(db.url);
    uow = new TypeormUnitOfWork(dataSource);
    kafka = testKafka('outbox-relay-int');
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await dataSource.query('TRUNCATE outbox, inbox, effects');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
    await deleteTestTopics(topics);
  });

  async function freshTopic(partitions = 3): Promise<ThingEvent> {
    const spec = testTopic(uniqueName('lt.outbox'), partitions);
    await provisionTopics(kafka, [spec, dlqTopicFor(spec)], { logger: silentLogger });
    topics.push(spec.name, `${spec.name}.dlq`);
    return thingEvent(spec);
  }

  function startRelay(overrides: Partial<OutboxRelayOptions> = {}): OutboxRelay {
    const relay = new OutboxRelay({ postgres: db.url, kafka, batchSize: 100, pollIntervalMs: 200, standbyPollMs: 100, logger: silentLogger, ...overrides });
    relay.start();
    cleanups.push(() => relay.stop());
    return relay;
  }

  async function startConsumer(Thing: ThingEvent, name = uniqueName('inbox')): Promise<InboxConsumer> {
    const consumer = new InboxConsumer({ kafka, dataSource, groupId: name, fromBeginning: true, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, logger: silentLogger });
    consumer.on(Thing, (event, { manager }) => recordEffect(name, event, manager));
    await consumer.start();
    cleanups.push(() => consumer.stop());
    return consumer;
  }

  async function collect(Thing: ThingEvent) {
    const collector = await collectMessages([Thing.topic.name], uniqueName('wire'));
    cleanups.push(() => collector.stop());
    return collector;
  }

  it('delivers concurrent, late-committing and rolled-back transactions: every committed event applied once, in order per key, none rolled back', async () => {
    const Thing = await freshTopic();
    const writer = new OutboxWriter({ source: '/lienthong/test' });
    const wire = await collect(Thing);
    const consumerName = uniqueName('inbox');
    await startConsumer(Thing, consumerName);
    startRelay();

    const workload = await runWorkload(dataSource, writer, Thing, {
      keys: 40,
      eventsPerKey: 25,
      writers: 8,
      rollbackEvery: 11,
      lateEvery: 23,
      lateHoldCommits: 15,
    });
    expect(workload.committedIds.size).toBe(1000);
    expect(workload.doomedIds.size).toBeGreaterThan(50);
    // The interesting interleaving really happened: late transactions were overtaken by others' commits.
    expect(workload.overtaken).toBeGreaterThan(10);

    await expectEventually(async () => assertEffectsExactlyOnceInOrder(await readEffects(dataSource, consumerName), workload), { timeoutMs: 30_000, intervalMs: 200 });
    const summary = await expectEventually(() => {
      const s = checkWire(wire.messages, workload);
      expect(s.records).toBe(1000);
      return s;
    });
    // No crash in this test: nothing is sent twice.
    expect(summary.duplicates).toBe(0);
    await expectEventually(async () => expect(await dataSource.query('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 0 }]));
  });

  it('publishes large transactions in id order across batches (ids crossing digit boundaries)', async () => {
    const Thing = await freshTopic(1);
    const writer = new OutboxWriter({ source: '/lienthong/test' });
    const wire = await collect(Thing);
    const key = uuidv4();
    // 3 transactions × 150 events for one key: ids 1…450, fetched 40 at a time.
    for (let t = 0; t < 3; t++) {
      await uow.run(async (tx) => writer.append(tx, Array.from({ length: 150 }, (_, i) => outboxEvent(Thing, { key, seq: t * 150 + i, doomed: false, behaviour: 'ok' }))));
    }
    const relay = startRelay({ batchSize: 40 });
    await expectEventually(() => expect(wire.messages).toHaveLength(450));
    const seqs = wire.messages.map((m) => (JSON.parse(m.message.value?.toString() ?? '{}') as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(relay.stats).toMatchObject({ published: 450, batches: 12 });
  });

  it('never skips a row whose transaction inserted first and committed last (the sequence-gap bug)', async () => {
    const Thing = await freshTopic(1);
    const writer = new OutboxWriter({ source: '/lienthong/test' });
    const wire = await collect(Thing);
    const relay = startRelay();
    const early = { key: uuidv4(), seq: 0, doomed: false, behaviour: 'ok' as const };
    const late = { key: uuidv4(), seq: 0, doomed: false, behaviour: 'ok' as const };

    // Transaction A inserts first (takes the lower id) and stays open.
    let releaseA!: () => void;
    const aInserted = new Promise<void>((resolveInserted) => {
      const txA = uow.run(async (tx) => {
        writer.append(tx, outboxEvent(Thing, early));
        // append only queues the INSERT; the read sends it now, so A holds the lower id while it
        // stays open. Without it the row would be inserted at COMMIT, after B's: no gap to test.
        await tx.query('SELECT 1');
        resolveInserted();
        await new Promise<void>((release) => (releaseA = release));
      });
      cleanups.push(async () => {
        releaseA();
        await txA;
      });
    });
    await aInserted;
    // Transaction B inserts after A (higher id) and commits first.
    await uow.run(async (tx) => writer.append(tx, outboxEvent(Thing, late)));

    // What a "SELECT … WHERE id > last_seen" relay would see now: B's row only, with the higher id.
    // Publishing it and remembering its id would skip A's row for ever once A commits.
    const visible: { id: string; key: string }[] = await dataSource.query('SELECT id::text, key FROM outbox ORDER BY id');
    expect(visible.map((r) => r.key)).toEqual([late.key]);

    // Our relay holds B back while A is open: it has polled, seen B pending and published nothing.
    await expectEventually(() => expect(relay.stats.blockedPolls).toBeGreaterThan(3));
    expect(relay.stats.published).toBe(0);
    const heldFrom = Date.now();

    releaseA();
    await expectEventually(() => expect(wire.messages.map((m) => m.message.key?.toString())).toEqual([early.key, late.key]));
    const { duplicates } = checkWire(wire.messages, {
      committed: new Map([
        [early.key, 1],
        [late.key, 1],
      ]),
      committedIds: new Set(),
      doomedIds: new Set(),
      lateCommits: 1,
      overtaken: 1,
    });
    expect(duplicates).toBe(0);
    expect(Date.now() - heldFrom).toBeLessThan(5_000);
  });

  it('pauses while a long transaction is open anywhere and catches up when it ends (the documented cost)', async () => {
    const Thing = await freshTopic(1);
    const writer = new OutboxWriter({ source: '/lienthong/test' });
    const wire = await collect(Thing);
    const lags: number[] = [];
    const relay = startRelay({ metrics: { lag: (s) => lags.push(s) } });

    // A long transaction that never touches the outbox, only holding a transaction id.
    const blocker = dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query('SELECT pg_current_xact_id()');
    const holdMs = 1_500;
    const committedAt = Date.now();
    await uow.run(async (tx) => writer.append(tx, outboxEvent(Thing, { key: uuidv4(), seq: 0, doomed: false, behaviour: 'ok' })));
    // The relay keeps polling and reports the waiting row's growing age, but publishes nothing.
    await expectEventually(() => expect(Math.max(...lags)).toBeGreaterThanOrEqual(holdMs / 1000), { timeoutMs: 10_000 });
    expect(relay.stats.published).toBe(0);
    expect(wire.messages).toHaveLength(0);
    await blocker.commitTransaction();
    await blocker.release();
    await expectEventually(() => expect(wire.messages).toHaveLength(1));
    const delay = Date.now() - committedAt;
    // The event waited for the long transaction; once it ended the relay caught up at once.
    expect(delay).toBeGreaterThanOrEqual(holdMs);
    expect(relay.stats.published).toBe(1);
  });

  it('elects one publisher among two relays; the standby takes over when the leader stops', async () => {
    const Thing = await freshTopic();
    const writer = new OutboxWriter({ source: '/lienthong/test' });
    const wire = await collect(Thing);
    const a = startRelay();
    await expectEventually(() => expect(a.isLeader).toBe(true));
    const b = startRelay();

    const write = async (n: number, offset: number) => {
      const key = uuidv4();
      for (let i = 0; i < n; i++) {
        await uow.run(async (tx) => writer.append(tx, outboxEvent(Thing, { key, seq: offset + i, doomed: false, behaviour: 'ok' })));
      }
    };
    await write(50, 0);
    await expectEventually(() => expect(wire.messages).toHaveLength(50));
    expect(a.stats.published).toBe(50);
    expect(b.stats).toMatchObject({ leader: false, published: 0, terms: 0 });

    await a.stop();
    await expectEventually(() => expect(b.isLeader).toBe(true), { timeoutMs: 10_000 });
    await write(50, 50);
    await expectEventually(() => expect(wire.messages).toHaveLength(100));
    expect(b.stats.published).toBe(50);
    expect(a.stats.published).toBe(50);
  });
});
