import { IDENTITY_FACILITY_EVENTS, IDENTITY_PATIENT_EVENTS, IDENTITY_RESTRICTED_PATIENT_EVENTS, topicsWithDlq } from '@lienthong/contracts';
import { prometheusRelayMetrics, provisionTopics, type MessagingModuleOptions } from '@lienthong/messaging';
import { postgresClientConfig } from '@lienthong/persistence';
import { metricsRegistry } from '@lienthong/platform';
import { Kafka, logLevel } from 'kafkajs';
import { type IdentityConfig } from '../config/identity.config';

/** CloudEvents `source` of every event identity-service writes. */
const IDENTITY_EVENT_SOURCE = '/lienthong/identity-service';

/**
 * The topics identity-service publishes to, with their dead-letter companions — the restricted one
 * included (links to sensitive facilities; in Kubernetes only its ACL lets this service write it).
 */
export const IDENTITY_TOPICS = topicsWithDlq([
  ...new Set([...IDENTITY_PATIENT_EVENTS, ...IDENTITY_RESTRICTED_PATIENT_EVENTS, ...IDENTITY_FACILITY_EVENTS].map((d) => d.topic)),
]);

/**
 * Outbox writer for the use cases and, unless IDENTITY_OUTBOX_RELAY=false, the relay in this process
 * (one active publisher per database: the others stand by on an advisory lock). In development the
 * topics are created first; in Kubernetes Strimzi KafkaTopic resources own them.
 */
export async function identityMessagingOptions(config: IdentityConfig): Promise<MessagingModuleOptions> {
  const kafka = new Kafka({ clientId: config.kafka.clientId, brokers: config.kafka.brokers, logLevel: logLevel.WARN });
  if (config.identity.provisionTopics) await provisionTopics(kafka, IDENTITY_TOPICS, { replicationFactor: 1 });
  return {
    outbox: { source: IDENTITY_EVENT_SOURCE },
    ...(config.identity.relay
      ? { relay: { postgres: postgresClientConfig(config.db), kafka, name: 'identity-outbox', metrics: prometheusRelayMetrics(metricsRegistry, 'identity-outbox') } }
      : {}),
  };
}
