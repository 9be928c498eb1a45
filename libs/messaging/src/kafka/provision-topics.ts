import { type TopicSpec } from '@lienthong/contracts';
import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';
import { stderrLogger, type MessagingLogger } from '../shared/logger';

/** What provisioning did, topic by topic; an empty report means everything already matched. */
export interface ProvisionReport {
  created: string[];
  partitionsIncreased: { topic: string; from: number; to: number }[];
  /** Kafka cannot remove partitions (and doing so would remap keys): reported, never applied. */
  partitionsNotDecreased: { topic: string; actual: number; wanted: number }[];
  configsAltered: { topic: string; changes: Record<string, { from: string | undefined; to: string }> }[];
}

export interface ProvisionOptions {
  logger?: MessagingLogger;
  /** Replication factor for new topics; -1 lets the broker default decide. */
  replicationFactor?: number;
}

/** The topic-level configs a TopicSpec owns. Everything else set on a topic is left alone. */
export function topicConfigFor(spec: TopicSpec): Record<string, string> {
  return { 'cleanup.policy': spec.cleanupPolicy, 'retention.ms': String(spec.retentionMs) };
}

/**
 * Makes the broker match the specs: creates missing topics with their partitions and configs,
 * raises partition counts that are too low (never lowers them), and rewrites `cleanup.policy` and
 * `retention.ms` when they differ. Idempotent: a second run reports nothing.
 */
export async function provisionTopics(kafka: Kafka, specs: readonly TopicSpec[], options: ProvisionOptions = {}): Promise<ProvisionReport> {
  const logger = options.logger ?? stderrLogger;
  const report: ProvisionReport = { created: [], partitionsIncreased: [], partitionsNotDecreased: [], configsAltered: [] };
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw new Error(`topic "${spec.name}" specified twice`);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) throw new Error(`topic "${spec.name}": partitions must be ≥ 1`);
    names.add(spec.name);
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: options.replicationFactor ?? -1,
          configEntries: Object.entries(topicConfigFor(s)).map(([name, value]) => ({ name, value })),
        })),
      });
      for (const s of missing) {
        report.created.push(s.name);
        logger.info('topic created', { topic: s.name, partitions: s.partitions, ...topicConfigFor(s) });
      }
    }
    const present = specs.filter((s) => existing.has(s.name));
    if (present.length > 0) {
      await reconcilePartitions(admin, present, report, logger);
      await reconcileConfigs(admin, present, report, logger);
    }
    return report;
  } finally {
    await admin.disconnect();
  }
}

async function reconcilePartitions(admin: Admin, specs: readonly TopicSpec[], report: ProvisionReport, logger: MessagingLogger) {
  const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
  const actual = new Map(topics.map((t) => [t.name, t.partitions.length]));
  const increase: { topic: string; count: number }[] = [];
  for (const spec of specs) {
    const count = actual.get(spec.name) ?? 0;
    if (count < spec.partitions) {
      increase.push({ topic: spec.name, count: spec.partitions });
      report.partitionsIncreased.push({ topic: spec.name, from: count, to: spec.partitions });
      logger.warn('topic partitions increased: keys written before now may map to other partitions', {
        topic: spec.name,
        from: count,
        to: spec.partitions,
      });
    } else if (count > spec.partitions) {
      report.partitionsNotDecreased.push({ topic: spec.name, actual: count, wanted: spec.partitions });
      logger.warn('topic has more partitions than specified; Kafka cannot decrease them, left as is', {
        topic: spec.name,
        actual: count,
        wanted: spec.partitions,
      });
    }
  }
  if (increase.length > 0) await admin.createPartitions({ topicPartitions: increase });
}

async function reconcileConfigs(admin: Admin, specs: readonly TopicSpec[], report: ProvisionReport, logger: MessagingLogger) {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.name })),
  });
  for (const spec of specs) {
    const resource = described.resources.find((r) => r.resourceName === spec.name);
    if (!resource) throw new Error(`describeConfigs returned nothing for topic "${spec.name}"`);
    // kafkajs only speaks the legacy (non-incremental) AlterConfigs, which replaces the whole set of
    // topic overrides: resend the overrides already in place so only ours change.
    const overrides: Record<string, string> = {};
    for (const entry of resource.configEntries) {
      if (entry.configSource === ConfigSource.TOPIC_CONFIG && !entry.isSensitive && !entry.readOnly) {
        overrides[entry.configName] = entry.configValue;
      }
    }
    const current = Object.fromEntries(resource.configEntries.map((e) => [e.configName, e.configValue]));
    const changes: Record<string, { from: string | undefined; to: string }> = {};
    for (const [name, value] of Object.entries(topicConfigFor(spec))) {
      if (current[name] !== value) changes[name] = { from: current[name], to: value };
    }
    if (Object.keys(changes).length === 0) continue;
    const wanted = { ...overrides, ...topicConfigFor(spec) };
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: spec.name,
          configEntries: Object.entries(wanted).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    report.configsAltered.push({ topic: spec.name, changes });
    logger.warn('topic configs altered', { topic: spec.name, changes });
  }
}
