import { dataSourceOptions, UnitOfWork } from '@lienthong/persistence';
import { type Actor, SERVICE_CONFIG } from '@lienthong/platform';
import { createTestDatabase, testInfra, type TestDatabase } from '@lienthong/testing';
import { Global, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { labResultsConfig } from '../config/lab-results.config';
import { LabResultsModule } from '../lab-results.module';
import { labResultsPersistenceOptions } from '../persistence/data-source';
import { LabResultErrorCode } from './domain/lab-result-error';
import { LabResultStore } from './ports/lab-result-store.port';
import { CreateLabResultUseCase } from './use-cases/create-lab-result/create-lab-result.use-case';

const hospital: Actor = { kind: 'facility', facilityCode: '79001', subject: 'his-79001', scopes: [], purposeOfUse: 'treatment' };
const analyst: Actor = { kind: 'person', role: 'ministry-analyst', subject: 'analyst-7', scopes: [], purposeOfUse: 'public-health' };

describe('lab-result (real Postgres and Kafka)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase('lab_results');
    const config = labResultsConfig.load({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      AUTH_PUBLIC_KEY: 'unused-without-http',
    });
    // What migrate.js does once per deploy.
    const migrator = new DataSource(dataSourceOptions(labResultsPersistenceOptions(config)));
    await migrator.initialize();
    await migrator.runMigrations();
    await migrator.destroy();

    @Global()
    @Module({ providers: [{ provide: SERVICE_CONFIG, useValue: config }], exports: [SERVICE_CONFIG] })
    class TestConfigModule {}

    @Module({ imports: [TestConfigModule, LabResultsModule] })
    class TestRootModule {}

    app = await NestFactory.createApplicationContext(TestRootModule, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('has a schema identical to the entities (generating a migration yields nothing)', async () => {
    const log = await app.get(DataSource).driver.createSchemaBuilder().log();
    expect(log.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('stores a lab-result in Postgres and reads it back', async () => {
    const created = await app.get(CreateLabResultUseCase).execute({ actor: hospital, note: 'chuyển tuyến' });

    const stored = await app.get(UnitOfWork).read((reader) => app.get(LabResultStore).findById(reader, created.id));
    expect(stored).toEqual(created);
  });

  it('leaves no row behind when it refuses', async () => {
    const before = await app.get(DataSource).query<{ n: string }[]>(`SELECT count(*) AS n FROM lab_results`);
    await expect(app.get(CreateLabResultUseCase).execute({ actor: analyst, note: 'any' })).rejects.toMatchObject({
      code: LabResultErrorCode.FacilityRequired,
    });
    const after = await app.get(DataSource).query<{ n: string }[]>(`SELECT count(*) AS n FROM lab_results`);
    expect(after).toEqual(before);
  });
});
