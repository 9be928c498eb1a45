import 'reflect-metadata';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SERVICE_CONFIG } from '@lienthong/platform';
import { createTestDatabase, testInfra, type TestDatabase } from '@lienthong/testing';
import { DataSource } from 'typeorm';
import { identityConfig } from '../src/config/identity.config';
import { IdentityModule } from '../src/identity.module';
import { identityPersistence } from '../src/persistence/data-source';
import { applyMigrations } from '@lienthong/persistence';

export interface IdentityTestApp {
  readonly app: INestApplicationContext;
  readonly db: TestDatabase;
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/** A fresh database with the migrations applied, and the service's module on it (no HTTP). */
export async function createIdentityTestApp(): Promise<IdentityTestApp> {
  const db = await createTestDatabase('identity');
  await applyMigrations(identityPersistence({ url: db.url, poolSize: 2 }));
  const config = identityConfig.load({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
    AUTH_PUBLIC_KEY: 'unused-in-int-tests',
  });

  @Global()
  @Module({ providers: [{ provide: SERVICE_CONFIG, useValue: config }], exports: [SERVICE_CONFIG] })
  class TestConfigModule {}

  @Module({ imports: [TestConfigModule, IdentityModule] })
  class TestRootModule {}

  const app = await NestFactory.createApplicationContext(TestRootModule, { logger: false });
  await app.init();
  return {
    app,
    db,
    dataSource: app.get(DataSource),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

export { facilityActor, personActor, serviceActor, type Actor } from './actors';

export async function countRows(dataSource: DataSource, table: string): Promise<number> {
  const rows: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}
