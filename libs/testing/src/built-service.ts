import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from './database';
import { testInfra, uniqueName } from './infra';
import { type TestIssuer, type TestTokenClaims } from './jwt';
import { WORKSPACE_ROOT } from './process';
import { runNodeScript, startServiceProcess, type ProcessOutput, type ServiceProcess } from './service-process';

/*
 * A built service (`nx build <app>`) as the end-to-end specs start it — `node migrate.js`, then
 * `node main.js`, on a fresh database, this run's Kafka and Redis, a test issuer's key — and the
 * requests every spec writes the same way (tokens, JSON). What a service seeds, and its own env, stay
 * in its test/<service>-process.ts.
 */

/** Where `nx build <app>` puts the service: `dist/apps/<app>/{main,migrate}.js`. */
export function builtServicePaths(app: string): { readonly dist: string; readonly main: string; readonly migrate: string } {
  const dist = join(WORKSPACE_ROOT, 'dist/apps', app);
  return { dist, main: join(dist, 'main.js'), migrate: join(dist, 'migrate.js') };
}

/**
 * The environment a built service runs with in a test: this run's infra, `issuer` for AUTH_*, a Kafka
 * client id of its own, a 10 s shutdown grace. `overrides` win (the service's own settings).
 */
export function builtServiceEnv(databaseUrl: string, issuer: TestIssuer, overrides: Record<string, string> = {}): Record<string, string> {
  const infra = testInfra();
  return {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_CLIENT_ID: uniqueName('e2e'),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    REDIS_URL: infra.redisUrl,
    AUTH_PUBLIC_KEY: issuer.publicKeyPem,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...overrides,
  };
}

export interface BuiltService {
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
 * A fresh database named after `database` (e.g. `consent_decisions_e2e`; the Kafka client id is the
 * same name with dashes), migrated by the built migrate.js of `app`, and its built main.js on it,
 * ready. `env` is the service's own environment over builtServiceEnv's.
 */
export async function startBuiltService(app: string, issuer: TestIssuer, { database, env = {} }: { database: string; env?: Record<string, string> }): Promise<BuiltService> {
  const { main, migrate } = builtServicePaths(app);
  for (const file of [main, migrate]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npx nx build ${app}\` first`);
  }
  const db = await createTestDatabase(database);
  try {
    const processEnv = builtServiceEnv(db.url, issuer, { KAFKA_CLIENT_ID: uniqueName(database.replace(/_/g, '-')), ...env });
    const migrateOutput = await runNodeScript(migrate, processEnv);
    const service = await startServiceProcess(main, processEnv);
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

/** A facility's HIS calling for treatment: its token (`sub: his-<code>`) with `scope`, X-Purpose-Of-Use, and `extra`. */
export async function facilityHeaders(issuer: TestIssuer, facility: string, scope: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { authorization: await bearer(issuer, { facility, scope, sub: `his-${facility}` }), 'x-purpose-of-use': 'treatment', ...extra };
}

/** A Liên Thông service's own token (`service` claim, `sub` the same) with `scope`, for treatment, and `extra`. */
export async function serviceHeaders(issuer: TestIssuer, service: string, scope: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { authorization: await bearer(issuer, { service, scope, sub: service }), 'x-purpose-of-use': 'treatment', ...extra };
}

/** POST `body` as JSON to `base + path` with `headers`. */
export function postJson(base: string, path: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A client on `url` for `fn` (seeding and peeking at a service's database in a test), closed after. */
export async function withSql<T>(url: string, fn: (sql: Client) => Promise<T>): Promise<T> {
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}
