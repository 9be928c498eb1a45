import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type InboxConsumerMetrics } from '../inbox/inbox-consumer';
import { type OutboxRelayMetrics } from '../outbox/outbox-relay';

/** Binds the relay's metric hooks to a prom-client registry (names prefixed `lienthong_outbox_`). */
export function prometheusRelayMetrics(registry: Registry, relay = 'outbox'): OutboxRelayMetrics {
  const labels = { relay };
  const published = new Counter({
    name: 'lienthong_outbox_published_total',
    help: 'Outbox rows acknowledged by Kafka',
    labelNames: ['relay', 'topic'],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'lienthong_outbox_batch_seconds',
    help: 'Time to fetch, publish and delete one outbox batch',
    labelNames: ['relay'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'lienthong_outbox_lag_seconds',
    help: 'Age of the oldest unpublished outbox row (grows while a long transaction holds the horizon)',
    labelNames: ['relay'],
    registers: [registry],
  });
  const blocked = new Counter({
    name: 'lienthong_outbox_blocked_polls_total',
    help: 'Polls that found rows held back by an older open transaction',
    labelNames: ['relay'],
    registers: [registry],
  });
  const leader = new Gauge({ name: 'lienthong_outbox_leader', help: '1 while this relay is the publishing leader', labelNames: ['relay'], registers: [registry] });
  const errors = new Counter({ name: 'lienthong_outbox_errors_total', help: 'Relay errors by stage', labelNames: ['relay', 'stage'], registers: [registry] });
  return {
    published: (topic, count) => published.inc({ ...labels, topic }, count),
    batch: (_size, seconds) => batchSeconds.observe(labels, seconds),
    lag: (seconds) => lag.set(labels, seconds),
    blocked: () => blocked.inc(labels),
    leadership: (isLeader) => leader.set(labels, isLeader ? 1 : 0),
    error: (stage) => errors.inc({ ...labels, stage }),
  };
}

/** Binds the inbox consumer's hooks to a prom-client registry (names prefixed `lienthong_inbox_`). */
export function prometheusInboxMetrics(registry: Registry, consumer: string): InboxConsumerMetrics {
  const processed = new Histogram({
    name: 'lienthong_inbox_process_seconds',
    help: 'Time to process one message, by outcome (applied, duplicate, skipped, dead-lettered)',
    labelNames: ['consumer', 'topic', 'type', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    registers: [registry],
  });
  const retried = new Counter({
    name: 'lienthong_inbox_retries_total',
    help: 'Handler retries',
    labelNames: ['consumer', 'topic', 'type'],
    registers: [registry],
  });
  return {
    processed: (topic, type, outcome, seconds) => processed.observe({ consumer, topic, type: type ?? 'unknown', outcome }, seconds),
    retried: (topic, type) => retried.inc({ consumer, topic, type }),
  };
}
