/**
 * Outbox relay benchmark:  npm run bench -- outbox [--rows=200000] [--batch=2000] [--rate=2000]
 *                                               [--seconds=20] [--writers=8] [--only=throughput|latency|pause]
 *
 * (a) throughput: pre-fill the outbox, time the relay draining it to Kafka (acks=all, idempotent).
 * (b) latency: writers commit events at a fixed offered rate; a plain Kafka consumer records
 *     "received − committed" (both monotonic clocks of this process) into an HDR histogram.
 * (c) pause: the same load for a few seconds while one unrelated transaction holds its xid open
 *     for a second: the documented cost of the visibility horizon.
 * (a) runs the relay in this process; (b) and (c) run it as a separate process (bench/relay-worker.ts)
 * while this one generates the load and consumes. Local Kafka and Postgres, a fresh database and
 * fresh topics, dropped afterwards.
 */
import { defineEvent, dlqTopicFor, PatientRegisteredV1, type TopicSpec } from '@lienthong/contracts';
import { TypeormUnitOfWork } from '@lienthong/persistence';
import { createTestDatabase, spawnTsProcess, testKafka, uniqueName, type TestDatabase } from '@lienthong/testing';
import * as hdr from 'hdr-histogram-js';
import { type Kafka } from 'kafkajs';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import { CreateOutbox1795600000000, OutboxRelay, outboxEvent, OutboxWriter, provisionTopics, silentLogger, stderrLogger } from '../src';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k ?? '', v ?? 'true'];
  }),
);
const num = (name: string, fallback: number) => (args[name] === undefined ? fallback : Number(args[name]));
const ROWS = num('rows', 200_000);
const BATCH = num('batch', 2_000);
const RATE = num('rate', 2_000);
const SECONDS = num('seconds', 20);
const WRITERS = num('writers', 8);
const ONLY = args['only'];

const facilities = ['01001', '01002', '79001', '48003', '31007'];
function registered(definition: ReturnType<typeof benchEvent>) {
  return outboxEvent(definition, {
    enterprisePatientId: uuidv4(),
    facilityCode: facilities[Math.floor(Math.random() * facilities.length)] ?? '01001',
    localId: `BN-${Math.floor(Math.random() * 1e9)}`,
    outcome: 'created',
    sex: 2,
    birthYear: 1960 + Math.floor(Math.random() * 60),
    provinceCode: '01',
    identifierSystems: ['cccd', 'bhyt'],
  });
}

function benchEvent(topic: TopicSpec) {
  // The real PatientRegisteredV1 payload and schema, on a throwaway topic.
  return defineEvent({ ...PatientRegisteredV1, topic });
}

async function freshTopic(kafka: Kafka, partitions: number): Promise<TopicSpec> {
  const spec: TopicSpec = {
    name: uniqueName('bench.outbox'),
    partitions,
    retentionMs: 3_600_000,
    cleanupPolicy: 'delete',
    key: 'enterprisePatientId',
    description: 'outbox benchmark',
  };
  await provisionTopics(kafka, [spec, dlqTopicFor(spec)], { logger: silentLogger });
  created.push(spec.name, `${spec.name}.dlq`);
  return spec;
}
const created: string[] = [];

async function throughput(dataSource: DataSource, db: TestDatabase, kafka: Kafka) {
  const spec = await freshTopic(kafka, 12);
  const Event = benchEvent(spec);
  const writer = new OutboxWriter({ source: '/lienthong/bench', notify: false });
  const uow = new TypeormUnitOfWork(dataSource);
  const fillStart = performance.now();
  const chunk = 2_000;
  for (let done = 0; done < ROWS; done += chunk) {
    const n = Math.min(chunk, ROWS - done);
    await uow.run(async (tx) => writer.append(tx, Array.from({ length: n }, () => registered(Event))));
  }
  const fillSeconds = (performance.now() - fillStart) / 1000;
  await dataSource.query('VACUUM ANALYZE outbox');
  const [{ bytes }] = (await dataSource.query(`SELECT pg_total_relation_size('outbox')::bigint AS bytes`)) as [{ bytes: string }];

  let published = 0;
  let batches = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const relay = new OutboxRelay({
    postgres: db.url,
    kafka,
    batchSize: BATCH,
    logger: stderrLogger,
    metrics: {
      batch: () => {
        batches += 1;
      },
      published: (_t, count) => {
        published += count;
      },
    },
  });
  // Counts deletions too: the clock stops when the last row is acknowledged and deleted.
  const poll = setInterval(() => {
    void dataSource.query('SELECT count(*)::int AS n FROM outbox').then((rows: { n: number }[]) => {
      if (rows[0]?.n === 0 && published >= ROWS) finished();
    });
  }, 50);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  relay.start();
  await done;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(poll);
  await relay.stop();

  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(spec.name);
  await admin.disconnect();
  const onKafka = offsets.reduce((sum, p) => sum + Number(p.high), 0);
  return {
    rows: ROWS,
    batchSize: BATCH,
    partitions: spec.partitions,
    fillSeconds: round(fillSeconds),
    outboxMiB: round(Number(bytes) / 2 ** 20),
    drainSeconds: round(seconds),
    eventsPerSecond: Math.round(ROWS / seconds),
    batches,
    onKafka,
    relayProcessCpuSeconds: round((cpu.user + cpu.system) / 1e6),
  };
}

interface LatencyRun {
  seconds: number;
  warmupSeconds: number;
  blocker?: { atSeconds: number; holdMs: number };
}

async function latency(dataSource: DataSource, db: TestDatabase, kafka: Kafka, run: LatencyRun) {
  const spec = await freshTopic(kafka, 12);
  const Event = benchEvent(spec);
  const writer = new OutboxWriter({ source: '/lienthong/bench' });
  const uow = new TypeormUnitOfWork(dataSource);
  const committedAt = new Map<string, number>();
  const receivedAt = new Map<string, number>();
  // Breakdown with wall clocks (ms): commit → Kafka record timestamp (set by the relay's producer)
  // and record timestamp → received.
  const committedWall = new Map<string, number>();
  const producedWall = new Map<string, number>();
  const relayPart = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000, numberOfSignificantValueDigits: 2 });
  const consumePart = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000, numberOfSignificantValueDigits: 2 });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  let measuring = false;
  let received = 0;
  let maxMs = 0;
  const record = (id: string) => {
    const c = committedAt.get(id);
    const r = receivedAt.get(id);
    if (c === undefined || r === undefined) return;
    committedAt.delete(id);
    receivedAt.delete(id);
    const cw = committedWall.get(id) ?? 0;
    const pw = producedWall.get(id) ?? 0;
    committedWall.delete(id);
    producedWall.delete(id);
    if (!measuring) return;
    relayPart.recordValue(Math.max(0, pw - cw));
    consumePart.recordValue(Math.max(0, Math.round(r + performance.timeOrigin) - pw));
    const micros = Math.max(1, Math.round((r - c) * 1000));
    histogram.recordValue(micros);
    maxMs = Math.max(maxMs, micros / 1000);
  };

  const consumer = kafka.consumer({ groupId: uniqueName('bench-consumer'), sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [spec.name], fromBeginning: true });
  let assigned!: () => void;
  const ready = new Promise<void>((resolve) => (assigned = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => assigned());
  await consumer.run({
    // kafkajs adds tens of ms when one fetch returns several partitions and they are handled one
    // after the other; handling them concurrently halves that (the relay side is measured apart).
    partitionsConsumedConcurrently: spec.partitions,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const id = m.headers?.['ce_id']?.toString();
        if (!id) continue;
        received += 1;
        receivedAt.set(id, now);
        producedWall.set(id, Number(m.timestamp));
        record(id);
      }
    },
  });
  await ready;

  const relay = spawnTsProcess('libs/messaging/bench/relay-worker.ts', { OUTBOX_DB_URL: db.url, RELAY_BATCH_SIZE: String(BATCH) });
  while (!relay.lines.includes('leader')) {
    if (relay.child.exitCode !== null) throw new Error(`relay worker exited: ${relay.stderr.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }

  // Writers: each owns a share of the rate and commits one event per transaction on schedule.
  const total = Math.round(RATE * run.seconds);
  const interval = 1000 / RATE;
  const start = performance.now();
  let behind = 0;
  let written = 0;
  const writerLoop = async (w: number) => {
    for (let i = w; i < total; i += WRITERS) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      else if (wait < -50) behind += 1;
      measuring = performance.now() - start > run.warmupSeconds * 1000;
      const [built] = await uow.run(async (tx) => writer.append(tx, registered(Event)));
      const id = built?.event.id ?? '';
      committedAt.set(id, performance.now());
      committedWall.set(id, Date.now());
      written += 1;
      record(id);
    }
  };
  let blockerDone: Promise<void> = Promise.resolve();
  if (run.blocker) {
    const { atSeconds, holdMs } = run.blocker;
    blockerDone = (async () => {
      await new Promise((r) => setTimeout(r, atSeconds * 1000));
      const qr = dataSource.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      await qr.query('SELECT pg_current_xact_id()');
      await new Promise((r) => setTimeout(r, holdMs));
      await qr.commitTransaction();
      await qr.release();
    })();
  }
  const cpuBefore = process.cpuUsage();
  await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writerLoop(w)), blockerDone]);
  const writeSeconds = (performance.now() - start) / 1000;
  const deadline = performance.now() + 30_000;
  while (received < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const cpu = process.cpuUsage(cpuBefore);
  await relay.kill('SIGTERM');
  await consumer.disconnect();
  const ms = (p: number) => round(histogram.getValueAtPercentile(p) / 1000);
  return {
    offeredPerSecond: RATE,
    achievedPerSecond: Math.round(written / writeSeconds),
    seconds: run.seconds,
    writers: WRITERS,
    writesBehindSchedule: behind,
    samples: histogram.totalCount,
    received,
    p50ms: ms(50),
    p90ms: ms(90),
    p99ms: ms(99),
    p999ms: ms(99.9),
    maxMs: round(maxMs),
    commitToProducedP50ms: relayPart.getValueAtPercentile(50),
    commitToProducedP99ms: relayPart.getValueAtPercentile(99),
    producedToReceivedP50ms: consumePart.getValueAtPercentile(50),
    producedToReceivedP99ms: consumePart.getValueAtPercentile(99),
    writerAndConsumerCpuSeconds: round((cpu.user + cpu.system) / 1e6),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function main() {
  const kafka = testKafka('outbox-bench');
  const db = await createTestDatabase('outbox_bench');
  const dataSource = new DataSource({ type: 'postgres', url: db.url, migrations: [CreateOutbox1795600000000], extra: { max: WRITERS + 4 } });
  await dataSource.initialize();
  await dataSource.runMigrations();
  const machine = {
    cpus: os.cpus().length,
    memGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavgAtStart: os.loadavg().map(round),
  };
  console.log('machine', JSON.stringify(machine));
  const results: Record<string, unknown> = { machine };
  try {
    if (!ONLY || ONLY === 'throughput') {
      results['throughput'] = await throughput(dataSource, db, kafka);
      console.log('throughput', JSON.stringify(results['throughput']));
    }
    if (!ONLY || ONLY === 'latency') {
      results['latency'] = await latency(dataSource, db, kafka, { seconds: SECONDS, warmupSeconds: 2 });
      console.log('latency', JSON.stringify(results['latency']));
    }
    if (!ONLY || ONLY === 'pause') {
      results['pause'] = await latency(dataSource, db, kafka, { seconds: 6, warmupSeconds: 1, blocker: { atSeconds: 2, holdMs: 1_000 } });
      console.log('pause', JSON.stringify(results['pause']));
    }
  } finally {
    results['loadavgAtEnd'] = os.loadavg().map(round);
    await dataSource.destroy();
    await db.drop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  }
  console.log(JSON.stringify(results, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
