import { PopulationGenerator, type SyntheticPerson } from '@lienthong/synthetic';
import {
  createTestDatabase,
  runNodeScript,
  startServiceProcess,
  testInfra,
  uniqueName,
  type ProcessOutput,
  type ServiceProcess,
  type TestDatabase,
  type TestIssuer,
  type TestTokenClaims,
} from '@lienthong/testing';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The built identity-service (`nx build identity-service`, a dependency of the e2e target) as the
 * e2e specs start it: `node main.js` after `node migrate.js`, on a fresh database, the shared Kafka
 * and Redis, and a test issuer's key. Plus the few builders every spec writes the same way.
 */
export const IDENTITY_DIST = join(__dirname, '../../../dist/apps/identity-service');
export const IDENTITY_MAIN = join(IDENTITY_DIST, 'main.js');
export const IDENTITY_MIGRATE = join(IDENTITY_DIST, 'migrate.js');

/**
 * The service's environment: this run's infra, `issuer` for AUTH_*, the seed facilities, a 10 s
 * shutdown grace. `overrides` win (a KAFKA_CLIENT_ID of the spec's own, anything a spec varies).
 */
export function identityEnv(databaseUrl: string, issuer: TestIssuer, overrides: Record<string, string> = {}): Record<string, string> {
  const infra = testInfra();
  return {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_CLIENT_ID: uniqueName('identity-e2e'),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    REDIS_URL: infra.redisUrl,
    AUTH_PUBLIC_KEY: issuer.publicKeyPem,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    IDENTITY_SEED_FACILITIES: 'true',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...overrides,
  };
}

export interface IdentityProcess {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly db: TestDatabase;
  readonly service: ServiceProcess;
  /** What main.js and migrate.js were started with. */
  readonly env: Record<string, string>;
  /** What migrate.js printed. */
  readonly migrateOutput: ProcessOutput;
  /** SIGKILL the service (if still running) and drop its database: for afterAll. */
  stop(): Promise<void>;
}

/**
 * A fresh database named after `database` (e.g. `identity_xf_e2e`; the Kafka client id is the same
 * name with dashes), migrated by the built migrate.js, and the built main.js on it, ready.
 */
export async function startIdentity(issuer: TestIssuer, { database, env = {} }: { database: string; env?: Record<string, string> }): Promise<IdentityProcess> {
  expect(existsSync(IDENTITY_MAIN)).toBe(true);
  expect(existsSync(IDENTITY_MIGRATE)).toBe(true);
  const db = await createTestDatabase(database);
  try {
    const processEnv = identityEnv(db.url, issuer, { KAFKA_CLIENT_ID: uniqueName(database.replace(/_/g, '-')), ...env });
    const migrateOutput = await runNodeScript(IDENTITY_MIGRATE, processEnv);
    const service = await startServiceProcess(IDENTITY_MAIN, processEnv);
    return {
      base: service.base,
      db,
      service,
      env: processEnv,
      migrateOutput,
      async stop() {
        service.kill();
        await db.drop();
      },
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** `Bearer <token>` for these claims. */
export async function bearer(issuer: TestIssuer, claims: TestTokenClaims): Promise<string> {
  return `Bearer ${await issuer.sign(claims)}`;
}

/** A facility's HIS calling for treatment: its token (`sub: his-<code>`), X-Purpose-Of-Use, and `extra`. */
export async function facilityHeaders(issuer: TestIssuer, facility: string, scope: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { authorization: await bearer(issuer, { facility, scope, sub: `his-${facility}` }), 'x-purpose-of-use': 'treatment', ...extra };
}

/** POST /v1/patients: `body` as JSON, with `headers`. */
export async function postPatient(base: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(`${base}/v1/patients`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export type SyntheticAdult = SyntheticPerson & { cccd: string };

/**
 * `count` distinct synthetic adults with a CCCD and a full birth date, from `generator` (by default
 * one seeded from the time and the pid, so the people are unique to this run).
 */
export function syntheticAdults(count: number, generator = new PopulationGenerator({ seed: Date.now() ^ (process.pid << 8) })): SyntheticAdult[] {
  const people: SyntheticAdult[] = [];
  while (people.length < count) {
    const p = generator.person();
    const adult = generator.referenceYear - p.birthDate.year >= 18;
    if (p.cccd !== undefined && adult && p.birthDate.month !== undefined && p.birthDate.day !== undefined && !people.some((q) => q.cccd === p.cccd)) {
      people.push({ ...p, cccd: p.cccd });
    }
  }
  return people;
}

/** `YYYY-MM-DD` (or `YYYY-MM`, `YYYY` for a partial date). */
export const isoBirthDate = (p: SyntheticPerson): string =>
  [p.birthDate.year, p.birthDate.month, p.birthDate.day]
    .filter((n): n is number => n !== undefined)
    .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0'))
    .join('-');

/** The API's sex code: 1 male, 2 female. */
export const sexCode = (p: SyntheticPerson): 1 | 2 => (p.sex === 'male' ? 1 : 2);

/** The part of a registration every spec sends the same way: the person's name, birth date, sex and CCCD. */
export const registrationOf = (p: SyntheticAdult, localId: string) => ({
  localId,
  fullName: p.fullName,
  birthDate: isoBirthDate(p),
  sex: sexCode(p),
  identifiers: [{ system: 'cccd', value: p.cccd }],
});
