import { Partitioners, type Kafka, type Producer, type ProducerConfig } from 'kafkajs';

/**
 * Every producer on the platform: idempotent (the broker drops retried duplicates within a producer
 * session), acks from all in-sync replicas (kafkajs' default `acks: -1`; idempotent mode refuses
 * anything weaker), one request in flight per broker so a retry can never overtake the batch after
 * it (per-key order), and Java's murmur2 partitioner so a key lands on the same partition whichever
 * client wrote it. Topics are never auto-created: a typo must fail, not create a topic.
 */
export const PRODUCER_DEFAULTS: Readonly<ProducerConfig> = Object.freeze({
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
  // ~1 minute of retries across a leader election or a broker restart before a send gives up.
  retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 10_000, multiplier: 2 },
});

/** acks value every send must use (all in-sync replicas). */
export const ACKS_ALL = -1;

export function createProducer(kafka: Kafka, overrides: Partial<Pick<ProducerConfig, 'retry' | 'metadataMaxAge'>> = {}): Producer {
  return kafka.producer({ ...PRODUCER_DEFAULTS, ...overrides });
}
