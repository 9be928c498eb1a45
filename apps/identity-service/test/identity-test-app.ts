import 'reflect-metadata';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SERVICE_CONFIG, type Actor, type FacilityActor, type PersonActor, type ServiceActor } from '@lienthong/platform';
import { createTestDatabase, testInfra, type TestDatabase } from '@lienthong/testing';
import { DataSource } from 'typeorm';
import { identityConfig } from '../src/config/identity.config';
import { IdentityModule } from '../src/identity.module';
import { identityDataSourceOptions } from '../src/persistence/data-source';
import { Scopes } from '../src/scopes';

export interface IdentityTestApp {
  readonly app: INestApplicationContext;
  readonly db: TestDatabase;
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/** A fresh database with the migrations applied, and the service's module on it (no HTTP). */
export async function createIdentityTestApp(): Promise<IdentityTestApp> {
  const db = await createTestDatabase('identity');
  const migrator = new DataSource(identityDataSourceOptions({ url: db.url, poolSize: 2 }));
  await migrator.initialize();
  await migrator.runMigrations();
  await migrator.destroy();
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

const requestId = () => `req-${Math.random().toString(36).slice(2, 10)}`;
const scopesOf = (crossRef: boolean | undefined, extra: readonly string[] = []) => [
  Scopes.patientRead,
  Scopes.patientWrite,
  ...(crossRef ? [Scopes.crossReference] : []),
  ...extra,
];

/** A hospital system's actor, as the auth guard builds it from a verified token. */
export function facilityActor(facilityCode: string, options: { crossRef?: boolean; subject?: string; scopes?: readonly string[] } = {}): FacilityActor {
  return { kind: 'facility', subject: options.subject ?? `his-${facilityCode}`, facilityCode, scopes: scopesOf(options.crossRef, options.scopes), purposeOfUse: 'treatment', requestId: requestId() };
}

/** A service (its own credential) acting for `facilityCode` on this call, or for nobody. */
export function serviceActor(service: string, actingForFacility?: string): ServiceActor {
  return {
    kind: 'service',
    subject: `svc-${service}`,
    service,
    ...(actingForFacility !== undefined ? { actingForFacility } : {}),
    scopes: scopesOf(false, ['lienthong/act-for']),
    purposeOfUse: 'treatment',
    requestId: requestId(),
  };
}

/** A data steward or analyst: a person, no facility. */
export function personActor(role: PersonActor['role'], scopes: readonly string[] = []): PersonActor {
  return { kind: 'person', subject: `person-${role}`, role, scopes: [...scopes], purposeOfUse: 'treatment', requestId: requestId() };
}

export type { Actor };

export async function countRows(dataSource: DataSource, table: string): Promise<number> {
  const rows: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}
