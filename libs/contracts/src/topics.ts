/**
 * The topic registry: every Kafka topic the platform uses, with its partitions, retention and key.
 * Nobody types a topic string anywhere else. Topics are created explicitly (broker auto-create is
 * off) by `provisionTopics` locally and by Strimzi KafkaTopic resources generated from this list.
 *
 * Versioning rule: a breaking change to a topic's payloads adds a new `….v2` topic beside `….v1`;
 * both stay until every consumer has moved. Never edit a published version in place.
 */

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** What the message key holds. Per DESIGN.md: the enterprise patient id (never a CCCD). */
export type TopicKey = 'enterprisePatientId' | 'facilityCode';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** -1 keeps messages forever (compacted reference data). */
  readonly retentionMs: number;
  readonly cleanupPolicy: 'delete' | 'compact';
  readonly key: TopicKey;
  readonly description: string;
  /**
   * A restricted topic: only these principals (service names; one Kafka user each) may touch it and
   * its DLQ, enforced by broker ACLs generated from this registry (deploy/tools). Absent = readable by
   * every platform consumer, so nothing whose mere presence is sensitive may travel on it.
   */
  readonly restrictedTo?: TopicAccess;
}

/** Who may use a restricted topic. The DLQ belongs to the consumers: they write poison messages and replay them. */
export interface TopicAccess {
  readonly producers: readonly string[];
  readonly consumers: readonly string[];
}

export const DLQ_SUFFIX = '.dlq';
/** Dead-letter topics keep messages long enough for a human to look. */
export const DLQ_RETENTION_MS = 30 * DAY_MS;

function topic(spec: TopicSpec): TopicSpec {
  return Object.freeze(spec);
}

export const Topics = {
  identityPatientV1: topic({
    name: 'identity.patient.v1',
    partitions: 12,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'enterprisePatientId',
    description: 'Master patient index changes: registered, updated, linked, merged, unmerged. Never names a sensitive facility.',
  }),
  /**
   * The links to sensitive facilities (HIV clinic, mental hospital) the public topic leaves out: only
   * the exchange reads them, to route a sensitive facility's own patients back to it.
   */
  identityPatientRestrictedV1: topic({
    name: 'identity.patient.restricted.v1',
    partitions: 12,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'enterprisePatientId',
    description: 'Links to sensitive facilities (registered, linked, updated, merged, unmerged); ACL: identity-service writes, exchange-service reads.',
    restrictedTo: { producers: ['identity-service'], consumers: ['exchange-service'] },
  }),
  identityFacilityV1: topic({
    name: 'identity.facility.v1',
    partitions: 3,
    retentionMs: -1,
    cleanupPolicy: 'compact',
    key: 'facilityCode',
    description: 'Facility registry changes; compacted so a new consumer rebuilds the registry.',
  }),
  consentV1: topic({
    name: 'consent.v1',
    partitions: 12,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'enterprisePatientId',
    description: 'Consent changes (granted, refused, withdrawn, expired) and break-the-glass emergency accesses; no evidence documents, no free text.',
  }),
  /**
   * Canonical lab and imaging results, values included: only the exchange (consent-filtered delivery)
   * and analytics (which stores no values) may read them.
   */
  labResultV1: topic({
    name: 'lab.result.v1',
    partitions: 12,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'enterprisePatientId',
    description: 'Lab and imaging results (finalized, amended, cancelled) with values; ACL: lab-results-service writes, exchange-service and analytics-service read.',
    restrictedTo: { producers: ['lab-results-service'], consumers: ['exchange-service', 'analytics-service'] },
  }),
  labReuseV1: topic({
    name: 'lab.reuse.v1',
    partitions: 12,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
    key: 'enterprisePatientId',
    description: 'Reuse checks and the doctors\' decisions (reused or re-tested, why, VND avoided); never a result value.',
  }),
} as const satisfies Record<string, TopicSpec>;

export type TopicName = (typeof Topics)[keyof typeof Topics]['name'];

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(Topics);

export function dlqTopicName(topicName: string): string {
  return `${topicName}${DLQ_SUFFIX}`;
}

/** The dead-letter companion of a topic: same partitions and key, longer retention, never compacted. */
export function dlqTopicFor(spec: TopicSpec): TopicSpec {
  return topic({
    ...spec,
    name: dlqTopicName(spec.name),
    retentionMs: DLQ_RETENTION_MS,
    cleanupPolicy: 'delete',
    description: `Poison messages from ${spec.name}, with the error in headers.`,
  });
}

/** Every topic and its DLQ: what provisioning and the Strimzi manifests create. */
export function topicsWithDlq(topics: readonly TopicSpec[] = ALL_TOPICS): TopicSpec[] {
  return topics.flatMap((t) => [t, dlqTopicFor(t)]);
}

export function findTopic(name: string): TopicSpec | undefined {
  return ALL_TOPICS.find((t) => t.name === name);
}
