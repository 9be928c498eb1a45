import { Topics } from '@lienthong/contracts';
import { provisionTopics, silentLogger } from '@lienthong/messaging';
import { applyMigrations } from '@lienthong/persistence';
import { createService } from '@lienthong/platform';
import {
  collectMessages,
  createTestDatabase,
  createTestIssuer,
  testInfra,
  testKafka,
  uniqueName,
  type TestDatabase,
  type TestIssuer,
  type TestTokenClaims,
} from '@lienthong/testing';
import { type FacilityLevel } from '@lienthong/vn-standards';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { consentConfig } from '../../config/consent.config';
import { ConsentModule } from '../../consent.module';
import { consentPersistenceOptions } from '../../persistence/data-source';

/*
 * What the integration specs over HTTP start the same way: consent-service's module in-process behind
 * its whole HTTP stack (auth, zod validation, problem+json, FHIR), on a fresh migrated database, the
 * real Redis and Kafka, its relay publishing to consent.v1 (collected from the start).
 */

/** The environment of an in-process consent-service on `databaseUrl` (`name` makes its Kafka client id and consumer group), silent. */
export function consentTestEnv(databaseUrl: string, issuer: TestIssuer, name: string, overrides: Record<string, string> = {}): Record<string, string> {
  const id = name.replace(/_/g, '-');
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
    KAFKA_CLIENT_ID: uniqueName(id),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    REDIS_URL: testInfra().redisUrl,
    AUTH_PUBLIC_KEY: issuer.publicKeyPem,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    CONSENT_CONSUMER_GROUP: uniqueName(id),
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

/** A row of the registry copy, as identity.facility.v1 would have left it. */
export interface TestFacility {
  readonly code: string;
  readonly level: FacilityLevel;
  readonly provinceCode: string;
}

export interface ConsentTestApp {
  readonly issuer: TestIssuer;
  readonly db: TestDatabase;
  readonly app: NestFastifyApplication;
  /** The service's own DataSource: seeding and peeking. */
  readonly sql: DataSource;
  /** Every record the relay published to consent.v1 since the start. */
  readonly published: Awaited<ReturnType<typeof collectMessages>>;
  /** `{ authorization: 'Bearer …' }` for a token of these claims. */
  headers(claims: TestTokenClaims): Promise<Record<string, string>>;
  /** A new patient identity announced, registered (a care relationship) at each of `registeredAt`; its id. */
  knownPatient(...registeredAt: string[]): Promise<string>;
  /** How many rows `table` holds. */
  count(table: string): Promise<number>;
  /** Closes the app and the collector, and drops the database: for afterAll. */
  close(): Promise<void>;
}

/** Starts the app on a fresh database named after `name` (e.g. `consent_int`), with `facilities` in its registry copy. */
export async function startConsentTestApp(name: string, facilities: readonly TestFacility[]): Promise<ConsentTestApp> {
  const issuer = createTestIssuer();
  const db = await createTestDatabase(name);
  const cleanup: (() => Promise<unknown>)[] = [() => db.drop()];
  try {
    const env = consentTestEnv(db.url, issuer, name);
    await applyMigrations(consentPersistenceOptions(consentConfig.load(env)));
    await provisionTopics(testKafka(uniqueName(name.replace(/_/g, '-'))), [Topics.consentV1], { logger: silentLogger, replicationFactor: 1 });
    const published = await collectMessages([Topics.consentV1.name], uniqueName(`${name.replace(/_/g, '-')}-reader`));
    cleanup.unshift(() => published.stop());
    const { app } = await createService(ConsentModule, { config: consentConfig, env, logDestination: { write: () => undefined } });
    cleanup.unshift(() => app.close());
    await app.getHttpAdapter().getInstance().ready();
    const sql = app.get(DataSource);
    for (const f of facilities) {
      await sql.query(`INSERT INTO facilities (code, level, province_code, sensitive, version) VALUES ($1, $2, $3, false, 1)`, [f.code, f.level, f.provinceCode]);
    }
    return testApp(issuer, db, app, sql, published);
  } catch (error) {
    for (const step of cleanup) await step().catch(() => undefined);
    throw error;
  }
}

function testApp(issuer: TestIssuer, db: TestDatabase, app: NestFastifyApplication, sql: DataSource, published: ConsentTestApp['published']): ConsentTestApp {
  return {
    issuer,
    db,
    app,
    sql,
    published,
    headers: async (claims) => ({ authorization: `Bearer ${await issuer.sign(claims)}` }),
    async knownPatient(...registeredAt) {
      const id = randomUUID();
      await sql.query(`INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES ($1, NULL, now())`, [id]);
      for (const code of registeredAt) await sql.query(`INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) VALUES ($1, $2, $3)`, [code, `BN-${id}`, id]);
      return id;
    },
    count: async (table) => Number((await sql.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`))[0]?.n),
    async close() {
      await app.close();
      await published.stop();
      await db.drop();
    },
  };
}
