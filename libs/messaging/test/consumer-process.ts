/**
 * An inbox consumer in its own process, so a test can kill it before it commits offsets.
 *   OUTBOX_DB_URL            database with the inbox and effects tables
 *   CONSUMER_GROUP           group id (also the inbox consumer name)
 *   CONSUMER_TOPIC           JSON TopicSpec of the topic to read
 *   KILL_AFTER_APPLIED       SIGKILL itself right after the n-th event was applied and committed in
 *                            Postgres, before its offset can be committed to Kafka
 * Prints `applied <n>` after each applied event.
 */
import { testKafka } from '@lienthong/testing';
import { InboxConsumer } from '../src/inbox/inbox-consumer';
import { silentLogger } from '../src/shared/logger';
import { openDataSource, recordEffect, thingEvent } from './fixtures';

async function main() {
  const url = process.env['OUTBOX_DB_URL'];
  const group = process.env['CONSUMER_GROUP'];
  const topic = process.env['CONSUMER_TOPIC'];
  if (!url || !group || !topic) throw new Error('OUTBOX_DB_URL, CONSUMER_GROUP and CONSUMER_TOPIC are required');
  const killAfter = Number(process.env['KILL_AFTER_APPLIED'] ?? 0);
  const dataSource = await openDataSource(url, 4);
  const Thing = thingEvent(JSON.parse(topic));
  let applied = 0;
  const consumer = new InboxConsumer({
    kafka: testKafka('consumer-process'),
    dataSource,
    groupId: group,
    fromBeginning: true,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    // Offsets would normally be committed every second: make that never happen before the kill.
    autoCommitIntervalMs: 600_000,
    autoCommitThreshold: 1_000_000,
    logger: silentLogger,
    metrics: {
      processed: (_topic, _type, outcome) => {
        if (outcome !== 'applied') return;
        applied += 1;
        process.stdout.write(`applied ${applied}\n`);
        if (killAfter > 0 && applied >= killAfter) process.kill(process.pid, 'SIGKILL');
      },
    },
  });
  consumer.on(Thing, (event, { manager }) => recordEffect(group, event, manager));
  await consumer.start();
  process.stdout.write('started\n');
  process.once('SIGTERM', () => {
    void consumer
      .stop()
      .then(() => dataSource.destroy())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
