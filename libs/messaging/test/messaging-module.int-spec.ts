import 'reflect-metadata';
import { dlqTopicFor } from '@lienthong/contracts';
import { TypeormUnitOfWork } from '@lienthong/persistence';
import { collectMessages, createTestDatabase, deleteTestTopics, expectEventually, testKafka, uniqueName, type TestDatabase } from '@lienthong/testing';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { v4 as uuidv4 } from 'uuid';
import { type DataSource } from 'typeorm';
import { provisionTopics } from '../src/kafka/provision-topics';
import { MessagingModule, OutboxRelayHost } from '../src/nest/messaging.module';
import { outboxEvent, OutboxWriter } from '../src/outbox/outbox-writer';
import { silentLogger } from '../src/shared/logger';
import { openDataSource, testTopic, thingEvent } from './fixtures';

describe('MessagingModule (Nest)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('nestmsg');
    dataSource = await openDataSource(db.url);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('injects the outbox writer and runs the relay from bootstrap to shutdown', async () => {
    const kafka = testKafka('nest-int');
    const spec = testTopic(uniqueName('lt.nest'), 1);
    await provisionTopics(kafka, [spec, dlqTopicFor(spec)], { logger: silentLogger });
    const Thing = thingEvent(spec);
    const wire = await collectMessages([spec.name], uniqueName('wire'));

    @Module({
      imports: [
        MessagingModule.forRootAsync({
          useFactory: () => ({
            outbox: { source: '/lienthong/nest-test' },
            relay: { postgres: db.url, kafka, pollIntervalMs: 200, logger: silentLogger },
          }),
        }),
      ],
    })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      await app.init();
      const host = app.get(OutboxRelayHost);
      await expectEventually(() => expect(host.relay?.isLeader).toBe(true));
      const writer = app.get(OutboxWriter);
      await new TypeormUnitOfWork(dataSource).run(async (tx) => writer.append(tx, outboxEvent(Thing, { key: uuidv4(), seq: 0, doomed: false, behaviour: 'ok' })));
      await expectEventually(() => expect(wire.messages).toHaveLength(1));
      expect(wire.messages[0]?.message.headers?.['ce_source']?.toString()).toBe('/lienthong/nest-test');
      await app.close();
      expect(host.relay?.isLeader).toBe(false);
    } finally {
      await app.close();
      await wire.stop();
      await deleteTestTopics([spec.name, `${spec.name}.dlq`]);
    }
  });
});
