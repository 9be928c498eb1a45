import { dlqTopicFor } from '@lienthong/contracts';
import { collectMessages, createTestDatabase, deleteTestTopics, expectEventually, spawnTsProcess, testKafka, uniqueName, type TestDatabase, type TsProcess } from '@lienthong/testing';
import { type DataSource } from 'typeorm';
import { InboxConsumer } from '../src/inbox/inbox-consumer';
import { provisionTopics } from '../src/kafka/provision-topics';
import { OutboxWriter } from '../src/outbox/outbox-writer';
import { silentLogger } from '../src/shared/logger';
import { openDataSource, readEffects, recordEffect, testTopic, thingEvent } from './fixtures';
import { assertEffectsExactlyOnceInOrder, checkWire, runWorkload } from './workload';

const RELAY = 'libs/messaging/test/relay-process.ts';

function published(p: TsProcess): number {
  const last = [...p.lines].reverse().find((l) => l.startsWith('published '));
  return last ? Number(last.split(' ')[1]) : 0;
}

describe('outbox relay killed with SIGKILL (separate process)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const topics: string[] = [];
  const processes: TsProcess[] = [];
  let consumer: InboxConsumer | undefined;
  let wire: Awaited<ReturnType<typeof collectMessages>> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('relaycrash');
    dataSource = await openDataSource(db.url);
  });

  afterAll(async () => {
    for (const p of processes) await p.kill();
    await consumer?.stop();
    await wire?.stop();
    await dataSource?.destroy();
    await db?.drop();
    await deleteTestTopics(topics);
  });

  it('loses nothing and keeps per-key order across kills mid-batch; the inbox absorbs the re-sends', async () => {
    const kafka = testKafka('relay-crash-int');
    const spec = testTopic(uniqueName('lt.crash'), 3);
    await provisionTopics(kafka, [spec, dlqTopicFor(spec)], { logger: silentLogger });
    topics.push(spec.name, `${spec.name}.dlq`);
    const Thing = thingEvent(spec);
    wire = await collectMessages([spec.name], uniqueName('wire'));
    const consumerName = uniqueName('inbox');
    consumer = new InboxConsumer({ kafka, dataSource, groupId: consumerName, fromBeginning: true, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, logger: silentLogger });
    consumer.on(Thing, (event, { manager }) => recordEffect(consumerName, event, manager));
    await consumer.start();

    const spawnRelay = (env: Record<string, string> = {}) => {
      const p = spawnTsProcess(RELAY, { OUTBOX_DB_URL: db.url, RELAY_BATCH_SIZE: '40', ...env });
      processes.push(p);
      return p;
    };

    // Writers run the whole time, with late commits and rollbacks, while relays die around them.
    const writing = runWorkload(dataSource, new OutboxWriter({ source: '/lienthong/test' }), Thing, {
      keys: 30,
      eventsPerKey: 30,
      writers: 6,
      rollbackEvery: 13,
      lateEvery: 17,
      lateHoldCommits: 10,
    });

    // 1. The relay kills itself right after Kafka acknowledged its 3rd batch, before deleting it.
    const first = spawnRelay({ RELAY_KILL_AFTER_BATCHES: '3' });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const firstPublished = published(first);
    expect(firstPublished).toBeGreaterThan(0);
    const pendingAfterFirst: { n: number }[] = await dataSource.query('SELECT count(*)::int AS n FROM outbox');
    expect(pendingAfterFirst[0]?.n).toBeGreaterThan(0);

    // 2. A second relay is killed from outside at an arbitrary point while it drains.
    const second = spawnRelay();
    await expectEventually(() => expect(published(second)).toBeGreaterThanOrEqual(120), { timeoutMs: 60_000 });
    expect(await second.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    // 3. A third relay finishes the job after the writers are done.
    const workload = await writing;
    const third = spawnRelay();
    await expectEventually(async () => assertEffectsExactlyOnceInOrder(await readEffects(dataSource, consumerName), workload), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const summary = await expectEventually(() => {
      const s = checkWire(wire?.messages ?? [], workload);
      expect(s.records - s.duplicates).toBe(workload.committedIds.size);
      return s;
    });
    // The 3rd batch of the first relay was acknowledged and never deleted: it went out again.
    expect(summary.duplicates).toBeGreaterThan(0);
    await expectEventually(async () => expect(await dataSource.query('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 0 }]));
    expect(await third.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
