/**
 * An outbox relay in its own process, so a test can SIGKILL it.
 *   OUTBOX_DB_URL                database with the outbox
 *   RELAY_BATCH_SIZE             rows per batch (default 50)
 *   RELAY_KILL_AFTER_BATCHES     if set, SIGKILL itself once Kafka acknowledged that many batches —
 *                                after the send, before the rows are deleted: the worst moment
 * Prints `leader` when elected and `published <total>` after every acknowledged batch.
 */
import { testKafka } from '@lienthong/testing';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { silentLogger } from '../src/shared/logger';

const url = process.env['OUTBOX_DB_URL'];
if (!url) throw new Error('OUTBOX_DB_URL is required');
const killAfter = Number(process.env['RELAY_KILL_AFTER_BATCHES'] ?? 0);
let total = 0;
let batches = 0;

const relay = new OutboxRelay({
  postgres: url,
  kafka: testKafka('relay-process'),
  batchSize: Number(process.env['RELAY_BATCH_SIZE'] ?? 50),
  pollIntervalMs: 200,
  standbyPollMs: 100,
  logger: silentLogger,
  metrics: {
    leadership: (leader) => process.stdout.write(`${leader ? 'leader' : 'follower'}\n`),
    published: (_topic, count) => {
      total += count;
      batches += 1;
      process.stdout.write(`published ${total}\n`);
      if (killAfter > 0 && batches >= killAfter) process.kill(process.pid, 'SIGKILL');
    },
  },
});
relay.start();
process.once('SIGTERM', () => {
  void relay.stop().then(() => process.exit(0));
});
