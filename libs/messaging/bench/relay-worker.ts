/**
 * The relay as its own process for the latency benchmark (as deployed: the load generator and the
 * relay do not share an event loop). Env: OUTBOX_DB_URL, RELAY_BATCH_SIZE. Prints `leader`.
 */
import { testKafka } from '@lienthong/testing';
import { OutboxRelay, stderrLogger } from '../src';

const url = process.env['OUTBOX_DB_URL'];
if (!url) throw new Error('OUTBOX_DB_URL is required');
const relay = new OutboxRelay({
  postgres: url,
  kafka: testKafka('outbox-bench-relay'),
  batchSize: Number(process.env['RELAY_BATCH_SIZE'] ?? 2000),
  logger: stderrLogger,
  metrics: { leadership: (leader) => leader && process.stdout.write('leader\n') },
});
relay.start();
process.once('SIGTERM', () => {
  void relay.stop().then(() => process.exit(0));
});
