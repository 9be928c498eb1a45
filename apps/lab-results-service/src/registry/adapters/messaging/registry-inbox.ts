import { domainErrorReason, nestMessagingLogger, prometheusInboxMetrics, type InboxTransportOptions } from '@lienthong/messaging';
import { metricsRegistry } from '@lienthong/platform';
import { Kafka, logLevel } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { type LabResultsConfig } from '../../../config/lab-results.config';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';

/**
 * The DLQ reason of a lab-results error: the one place the service's codes meet Kafka. Each code is a
 * rule the event breaks, so retrying cannot help and the event is dead-lettered at once — except a
 * dependency that did not answer, which is retried (bounded, then dead-lettered by the inbox).
 */
export function labDlqReason(error: unknown): string | undefined {
  if (!(error instanceof LabResultError)) return domainErrorReason(error);
  return error.code === LabResultErrorCode.DependencyUnavailable ? undefined : error.code;
}

/**
 * The inbox consumer of identity's events (the facility registry, patients, links, merges): group from
 * config, inbox table in the service's database. A new group reads the topics from their start: the
 * facility topic is compacted, so that is the whole registry, and the patient topic gives every
 * patient it still holds.
 */
export function registryInboxOptions(config: LabResultsConfig, dataSource: DataSource): InboxTransportOptions {
  const groupId = config.lab.consumerGroup;
  return {
    kafka: new Kafka({ clientId: config.kafka.clientId, brokers: config.kafka.brokers, logLevel: logLevel.WARN }),
    dataSource,
    groupId,
    fromBeginning: true,
    rejectionReason: labDlqReason,
    metrics: prometheusInboxMetrics(metricsRegistry, groupId),
    logger: nestMessagingLogger('IdentityEvents'),
  };
}
