import { collectMessages, createTestTopics, deleteTestTopics, expectEventually, testKafka, uniqueName } from '@lienthong/testing';
import { z } from 'zod';
import { decodeCloudEvent, encodeCloudEvent } from './cloud-event';
import { buildEvent, defineEvent } from './event-definition';
import { type TopicSpec } from './topics';

describe('CloudEvents binary mode through a real broker', () => {
  it('decodes what was encoded after a trip through Kafka (headers, key, data, trace context)', async () => {
    const topic: TopicSpec = { name: uniqueName('lt.contracts'), partitions: 1, retentionMs: 3_600_000, cleanupPolicy: 'delete', key: 'enterprisePatientId', description: 'test' };
    const Sample = defineEvent({
      type: 'vn.lienthong.sample.thing.created',
      topic,
      schema: z.object({ enterprisePatientId: z.uuid(), note: z.string() }),
      keyOf: (d) => d.enterprisePatientId,
    });
    const { event, key } = buildEvent(Sample, { enterprisePatientId: '01920000-0000-7000-8000-000000000001', note: 'Bệnh viện Bạch Mai' }, { source: '/lienthong/test' });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await createTestTopics([topic.name], 1);
    const collector = await collectMessages([topic.name], uniqueName('contracts'));
    const producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic: topic.name, messages: [encodeCloudEvent(event, key, { traceparent })] });
      await expectEventually(() => expect(collector.messages).toHaveLength(1));
      const record = collector.messages[0]?.message;
      expect(record?.key?.toString()).toBe(key);
      expect(decodeCloudEvent({ headers: record?.headers, value: record?.value ?? null })).toEqual({ ...event, traceparent });
    } finally {
      await producer.disconnect();
      await collector.stop();
      await deleteTestTopics([topic.name]);
    }
  });
});
