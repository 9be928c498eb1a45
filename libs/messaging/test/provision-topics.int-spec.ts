import { deleteTestTopics, expectEventually, testKafka, uniqueName } from '@lienthong/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { provisionTopics } from '../src/kafka/provision-topics';
import { silentLogger } from '../src/shared/logger';
import { testTopic } from './fixtures';

describe('provisionTopics (real Kafka)', () => {
  const kafka = testKafka('provision-int');
  const names: string[] = [];
  afterAll(() => deleteTestTopics(names));

  async function describe_(name: string) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name }] });
      const config = Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
      return { partitions: topics[0]?.partitions.length, config };
    } finally {
      await admin.disconnect();
    }
  }

  it('creates, grows and reconfigures topics to match their specs, never shrinks them, and is idempotent', async () => {
    const a = testTopic(uniqueName('lt.prov'), 2);
    const b = { ...testTopic(uniqueName('lt.prov'), 4), cleanupPolicy: 'compact' as const, retentionMs: -1 };
    names.push(a.name, b.name);

    const created = await provisionTopics(kafka, [a, b], { logger: silentLogger });
    expect(created.created).toEqual([a.name, b.name]);
    expect(await describe_(b.name)).toMatchObject({ partitions: 4, config: { 'cleanup.policy': 'compact', 'retention.ms': '-1' } });

    // Someone set an unrelated override by hand: provisioning must keep it.
    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: a.name, configEntries: [{ name: 'max.message.bytes', value: '2000000' }, { name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', value: 'delete' }] }],
    });
    await admin.disconnect();
    // Config changes reach the broker that answers describeConfigs asynchronously (KRaft metadata):
    // wait until the override is visible, as an operator would, before provisioning again.
    await expectEventually(async () => expect((await describe_(a.name)).config).toMatchObject({ 'retention.ms': '3600000' }));

    const changed = await provisionTopics(kafka, [{ ...a, partitions: 5, retentionMs: 7_200_000 }, { ...b, partitions: 2 }], { logger: silentLogger });
    expect(changed).toEqual({
      created: [],
      partitionsIncreased: [{ topic: a.name, from: 2, to: 5 }],
      partitionsNotDecreased: [{ topic: b.name, actual: 4, wanted: 2 }],
      configsAltered: [{ topic: a.name, changes: { 'retention.ms': { from: '3600000', to: '7200000' } } }],
    });
    await expectEventually(async () =>
      expect(await describe_(a.name)).toMatchObject({ partitions: 5, config: { 'retention.ms': '7200000', 'max.message.bytes': '2000000', 'cleanup.policy': 'delete' } }),
    );

    const again = await provisionTopics(kafka, [{ ...a, partitions: 5, retentionMs: 7_200_000 }, b], { logger: silentLogger });
    expect(again).toEqual({ created: [], partitionsIncreased: [], partitionsNotDecreased: [], configsAltered: [] });
  });
});
