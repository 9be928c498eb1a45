import { domainErrorReason, nestMessagingLogger, prometheusInboxMetrics, type InboxTransportOptions } from '@lienthong/messaging';
import { metricsRegistry } from '@lienthong/platform';
import { Kafka, logLevel } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { type ConsentConfig } from '../../../config/consent.config';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';

/**
 * The DLQ reason of each consent error: the one place this context's codes meet Kafka. Every code is
 * a rule the event breaks, so retrying cannot help: the event is dead-lettered at once.
 */
export function consentDlqReason(error: unknown): string | undefined {
  if (!(error instanceof ConsentError)) return domainErrorReason(error);
  switch (error.code) {
    case ConsentErrorCode.InvalidMerge:
    case ConsentErrorCode.UnknownPatient:
    case ConsentErrorCode.Validation:
    case ConsentErrorCode.NotFound:
    case ConsentErrorCode.Conflict:
    case ConsentErrorCode.Forbidden:
    case ConsentErrorCode.FacilityRequired:
    case ConsentErrorCode.IdempotencyMismatch:
      return error.code;
  }
}

/**
 * The inbox consumer of identity's events (patients, links, merges, the facility registry): group
 * from config, inbox table in the service's database. A new group reads the topics from their start:
 * the facility topic is compacted, so that is the whole registry, and the patient topic gives every
 * patient it still holds.
 */
export function consentInboxOptions(config: ConsentConfig, dataSource: DataSource): InboxTransportOptions {
  const groupId = config.consent.consumerGroup;
  return {
    kafka: new Kafka({ clientId: config.kafka.clientId, brokers: config.kafka.brokers, logLevel: logLevel.WARN }),
    dataSource,
    groupId,
    fromBeginning: true,
    rejectionReason: consentDlqReason,
    metrics: prometheusInboxMetrics(metricsRegistry, groupId),
    logger: nestMessagingLogger('IdentityEvents'),
  };
}
