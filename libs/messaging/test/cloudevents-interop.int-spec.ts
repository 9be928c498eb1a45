import { dlqTopicFor } from '@lienthong/contracts';
import { TypeormUnitOfWork } from '@lienthong/persistence';
import { collectMessages, createTestDatabase, deleteTestTopics, expectEventually, testKafka, uniqueName, type TestDatabase } from '@lienthong/testing';
import { CloudEvent, Kafka as CloudEventsKafka, type Headers as CloudEventsHeaders } from 'cloudevents';
import { v4 as uuidv4 } from 'uuid';
import { type DataSource } from 'typeorm';
import { provisionTopics } from '../src/kafka/provision-topics';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { outboxEvent, OutboxWriter } from '../src/outbox/outbox-writer';
import { silentLogger } from '../src/shared/logger';
import { openDataSource, testTopic, thingEvent } from './fixtures';

describe('what the relay publishes, read by an independent client', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('cloudevents');
    dataSource = await openDataSource(db.url);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('is a valid CloudEvent for the official SDK (Kafka binding, binary mode)', async () => {
    const kafka = testKafka('cloudevents-int');
    const spec = testTopic(uniqueName('lt.ce'), 1);
    await provisionTopics(kafka, [spec, dlqTopicFor(spec)], { logger: silentLogger });
    const Thing = thingEvent(spec);
    const relay = new OutboxRelay({ postgres: db.url, kafka, logger: silentLogger });
    const raw = await collectMessages([spec.name], uniqueName('raw'));
    try {
      relay.start();
      const key = uuidv4();
      const writer = new OutboxWriter({ source: '/lienthong/test' });
      const [built] = await new TypeormUnitOfWork(dataSource).run(async (tx) => writer.append(tx, outboxEvent(Thing, { key, seq: 7, doomed: false, behaviour: 'ok' })));
      await expectEventually(() => expect(raw.messages).toHaveLength(1));

      // Plain kafkajs record → the SDK's KafkaMessage shape (string headers, raw value).
      const record = raw.messages[0]?.message;
      if (!record) throw new Error('no record');
      const headers: CloudEventsHeaders = {};
      for (const [name, value] of Object.entries(record.headers ?? {})) headers[name] = value?.toString();
      const message = { headers, key: record.key?.toString() ?? '', value: record.value, body: record.value };
      expect(CloudEventsKafka.isEvent(message)).toBe(true);
      const event = CloudEventsKafka.toEvent(message) as CloudEvent<{ key: string; seq: number }>;
      expect(event).toBeInstanceOf(CloudEvent);
      expect(event.specversion).toBe('1.0');
      expect(event.type).toBe('vn.lienthong.test.thing.happened');
      expect(event.id).toBe(built?.event.id);
      expect(event.source).toBe('/lienthong/test');
      expect(event.subject).toBe(key);
      expect(event.datacontenttype).toBe('application/json');
      expect(event.data).toEqual({ key, seq: 7, doomed: false, behaviour: 'ok' });
      expect(new Date(event.time ?? '').toISOString()).toBe(built?.event.time);
      // The SDK validates required attributes and formats on demand.
      expect(event.validate()).toBe(true);
    } finally {
      await relay.stop();
      await raw.stop();
      await deleteTestTopics([spec.name, `${spec.name}.dlq`]);
    }
  });
});
