import { prometheusRelayMetrics, type MessagingModuleOptions } from '@lienthong/messaging';
import { postgresClientConfig } from '@lienthong/persistence';
import { metricsRegistry } from '@lienthong/platform';
import { Kafka, logLevel } from 'kafkajs';
import { type LabResultsConfig } from '../config/lab-results.config';

/** CloudEvents `source` of every event lab-results-service writes. */
const EVENT_SOURCE = '/lienthong/lab-results-service';

/**
 * The outbox writer for use cases (`OutboxWriter.append(tx, …)` with a definition from
 * @lienthong/contracts) and its relay in this process: one active publisher per database, the
 * other replicas stand by on an advisory lock. Topics are created by the registry (kafka-init,
 * Strimzi), never here.
 */
export function labResultsMessagingOptions(config: LabResultsConfig): MessagingModuleOptions {
  const kafka = new Kafka({ clientId: config.kafka.clientId, brokers: config.kafka.brokers, logLevel: logLevel.WARN });
  return {
    outbox: { source: EVENT_SOURCE },
    ...(config.lab.relay ? { relay: { postgres: postgresClientConfig(config.db), kafka, name: 'lab-results-outbox', metrics: prometheusRelayMetrics(metricsRegistry, 'lab-results-outbox') } } : {}),
  };
}
