import { Kafka, logLevel, type Admin, type KafkaMessage } from 'kafkajs';
import { testInfra } from './infra';

export function testKafka(clientId = 'lienthong-test'): Kafka {
  return new Kafka({ clientId, brokers: testInfra().kafkaBrokers, logLevel: logLevel.NOTHING });
}

/** Creates topics (explicitly: the broker's auto-create is off) and waits for their leaders. */
export async function createTestTopics(names: readonly string[], partitions = 3): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: names.map((topic) => ({ topic, numPartitions: partitions })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTestTopics(names: readonly string[]): Promise<void> {
  const admin: Admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...names] });
  } catch {
    // Best effort: a failed clean-up must not hide the test's own result.
  } finally {
    await admin.disconnect();
  }
}

export interface CollectedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Reads topics from the beginning with a fresh consumer group, collecting every record, so a test
 * can assert on what actually reached the broker. Stop it with `stop()`.
 */
export interface CollectOptions {
  /**
   * Only messages written after this call (default: every message the topics hold). A shared broker's
   * topics grow with every run and benchmark; a test that asserts on its own events should not read,
   * hold and decode all the earlier ones. Offsets are taken before subscribing, so nothing written
   * while the group joins is missed.
   */
  readonly fromNow?: boolean;
}

export async function collectMessages(topics: readonly string[], groupId: string, options: CollectOptions = {}) {
  const start = new Map<string, bigint>();
  if (options.fromNow === true) {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        for (const p of await admin.fetchTopicOffsets(topic)) start.set(`${topic}/${p.partition}`, BigInt(p.high));
      }
    } finally {
      await admin.disconnect();
    }
  }
  const consumer = testKafka().consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const from = start.get(`${topic}/${partition}`);
      if (from !== undefined && BigInt(message.offset) < from) return;
      messages.push({ topic, partition, message });
    },
  });
  return {
    messages,
    async stop() {
      await consumer.disconnect();
    },
  };
}
