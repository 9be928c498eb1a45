import { prometheusRelayMetrics, type MessagingModuleOptions } from '@lienthong/messaging';
import { postgresClientConfig } from '@lienthong/persistence';
import { metricsRegistry } from '@lienthong/platform';
import { Kafka, logLevel } from 'kafkajs';
import { type ConsentConfig } from '../config/consent.config';

/** CloudEvents `source` of every event consent-service writes. */
const EVENT_SOURCE = '/lienthong/consent-service';

/**
 * The outbox writer for use cases (`OutboxWriter.append(tx, …)` with a definition from
 * @lienthong/contracts) and, unless CONSENT_OUTBOX_RELAY=false, its relay in this process: one active publisher per database, the
 * other replicas stand by on an advisory lock. Topics are created by the registry (kafka-init,
 * Strimzi), never here.
 */
export function consentMessagingOptions(config: ConsentConfig): MessagingModuleOptions {
  const kafka = new Kafka({ clientId: config.kafka.clientId, brokers: config.kafka.brokers, logLevel: logLevel.WARN });
  return {
    outbox: { source: EVENT_SOURCE },
    // The relay's own connection keeps the service's database timeouts: a database that stops answering must not hang it.
    ...(config.consent.relay
      ? { relay: { postgres: postgresClientConfig(config.db), kafka, name: 'consent-outbox', metrics: prometheusRelayMetrics(metricsRegistry, 'consent-outbox') } }
      : {}),
  };
}
