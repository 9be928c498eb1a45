import { domainErrorReason, nestMessagingLogger, prometheusInboxMetrics, type InboxTransportOptions } from '@lienthong/messaging';
import { metricsRegistry } from '@lienthong/platform';
import { Kafka, logLevel } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { type SampleConfig } from '../../../config/sample.config';
import { SeenPatientsError, SeenPatientsErrorCode } from '../../domain/seen-patients-error';

/** The DLQ reason of each domain error: the one place this context's codes meet Kafka. */
export function seenPatientsDlqReason(error: unknown): string | undefined {
  if (!(error instanceof SeenPatientsError)) return domainErrorReason(error);
  switch (error.code) {
    case SeenPatientsErrorCode.SamePatient:
      return error.code;
  }
}

/** The inbox consumer of identity events: group from config, inbox table in the service's database. */
export function seenPatientsInboxOptions(config: SampleConfig, dataSource: DataSource): InboxTransportOptions {
  const groupId = config.sample.consumerGroup;
  return {
    kafka: new Kafka({ clientId: config.kafka.clientId, brokers: config.kafka.brokers, logLevel: logLevel.WARN }),
    dataSource,
    groupId,
    rejectionReason: seenPatientsDlqReason,
    metrics: prometheusInboxMetrics(metricsRegistry, groupId),
    logger: nestMessagingLogger('IdentityEvents'),
  };
}
