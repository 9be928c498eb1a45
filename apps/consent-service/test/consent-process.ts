import type { Decision, DecisionQuery } from '@lienthong/contracts';
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
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * The built consent-service (`nx build consent-service`) as the e2e specs start it: `node main.js`
 * after `node migrate.js`, on a fresh database, the shared Kafka and Redis, a test issuer's key.
 * Replicas of one service share its database; plus the builders every spec writes the same way
 * (tokens, seeding the identity copy by SQL, consent bodies, decisions) and a TCP proxy that can
 * stall the database connection.
 */
export const CONSENT_DIST = join(__dirname, '../../../dist/apps/consent-service');
export const CONSENT_MAIN = join(CONSENT_DIST, 'main.js');
export const CONSENT_MIGRATE = join(CONSENT_DIST, 'migrate.js');

/** Scopes consent-service checks. */
export const CONSENT_SCOPES = {
  write: 'system/Consent.c',
  read: 'system/Consent.rs',
  decide: 'lienthong/consent.decide',
  emergency: 'lienthong/emergency-access',
} as const;

/**
 * The service's environment: this run's infra, `issuer` for AUTH_*, a consumer group and Kafka client
 * id of its own, a 10 s shutdown grace. `overrides` win.
 */
export function consentEnv(databaseUrl: string, issuer: TestIssuer, overrides: Record<string, string> = {}): Record<string, string> {
  const infra = testInfra();
  return {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_CLIENT_ID: uniqueName('consent-e2e'),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    REDIS_URL: infra.redisUrl,
    AUTH_PUBLIC_KEY: issuer.publicKeyPem,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    CONSENT_CONSUMER_GROUP: uniqueName('consent-e2e'),
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...overrides,
  };
}

export interface ConsentProcess {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly db: TestDatabase;
  readonly service: ServiceProcess;
  /** What main.js (and migrate.js) were started with. */
  readonly env: Record<string, string>;
  readonly migrateOutput: ProcessOutput;
  /** SIGKILL the service (if still running) and drop its database: for afterAll. */
  stop(): Promise<void>;
}

/**
 * A fresh database named after `database` (e.g. `consent_decisions_e2e`), migrated by the built
 * migrate.js, and the built main.js on it, ready.
 */
export async function startConsent(issuer: TestIssuer, { database, env = {} }: { database: string; env?: Record<string, string> }): Promise<ConsentProcess> {
  expect(existsSync(CONSENT_MAIN)).toBe(true);
  expect(existsSync(CONSENT_MIGRATE)).toBe(true);
  const db = await createTestDatabase(database);
  try {
    const processEnv = consentEnv(db.url, issuer, { KAFKA_CLIENT_ID: uniqueName(database.replace(/_/g, '-')), CONSENT_CONSUMER_GROUP: uniqueName(database.replace(/_/g, '-')), ...env });
    const migrateOutput = await runNodeScript(CONSENT_MIGRATE, processEnv);
    const service = await startServiceProcess(CONSENT_MAIN, processEnv);
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

/**
 * Another replica of `primary`: the same database, consumer group and Redis, a Kafka client id of its
 * own. `env` overrides (a DATABASE_URL through a proxy, shorter timeouts). Kill it yourself.
 */
export function startConsentReplica(primary: ConsentProcess, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startServiceProcess(CONSENT_MAIN, { ...primary.env, KAFKA_CLIENT_ID: uniqueName('consent-e2e-replica'), ...env });
}

/** `Bearer <token>` for these claims. */
export async function bearer(issuer: TestIssuer, claims: TestTokenClaims): Promise<string> {
  return `Bearer ${await issuer.sign(claims)}`;
}

/** A facility's HIS (`sub: his-<code>`) with `scope`, for treatment, as JSON. */
export async function facilityHeaders(issuer: TestIssuer, facility: string, scope: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { authorization: await bearer(issuer, { facility, scope, sub: `his-${facility}` }), 'x-purpose-of-use': 'treatment', 'content-type': 'application/json', ...extra };
}

/** A Liên Thông service's own token (`service` claim) with `scope`, as JSON. */
export async function serviceHeaders(issuer: TestIssuer, service: string, scope: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { authorization: await bearer(issuer, { service, scope, sub: service }), 'x-purpose-of-use': 'treatment', 'content-type': 'application/json', ...extra };
}

/** One statement on the database, then the connection closed (seeding and peeking in tests). */
export async function withSql<T>(url: string, fn: (sql: Client) => Promise<T>): Promise<T> {
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

export interface SeedFacility {
  readonly code: string;
  readonly level: 'initial' | 'basic' | 'specialised';
  readonly provinceCode: string;
  readonly sensitive?: boolean;
}

/** The facility registry copy, as identity.facility.v1 would have left it. */
export function seedFacilities(url: string, facilities: readonly SeedFacility[]): Promise<void> {
  return withSql(url, async (sql) => {
    for (const f of facilities) {
      await sql.query(
        `INSERT INTO facilities (code, level, province_code, sensitive, version) VALUES ($1, $2, $3, $4, 1) ON CONFLICT (code) DO NOTHING`,
        [f.code, f.level, f.provinceCode, f.sensitive ?? false],
      );
    }
  });
}

/** A new patient identity announced, registered (care relationship) at each facility in `links`; its enterprise id. */
export function seedPatient(url: string, links: readonly string[] = []): Promise<string> {
  const id = randomUUID();
  return withSql(url, async (sql) => {
    await sql.query(`INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES ($1, NULL, now())`, [id]);
    for (const code of links) await sql.query(`INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) VALUES ($1, $2, $3)`, [code, `BN-${id.slice(0, 8)}`, id]);
    return id;
  });
}

/** Evidence of a statement taken in person by staff member `recordedBy`, the patient told what is sensitive. */
export const inPersonEvidence = (recordedBy = 'NV-7') => ({ channel: 'in-person', recordedBy, informedOfSensitivity: true }) as const;

/** A `POST /v1/consents` body: the patient grants treatment and referral access to lab and imaging to any facility (override any part). */
export function grantBody(enterprisePatientId: string, overrides: { decision?: 'grant' | 'refuse'; scope?: Record<string, unknown>; evidence?: Record<string, unknown> } = {}) {
  return {
    enterprisePatientId,
    decision: overrides.decision ?? 'grant',
    scope: { purposes: ['treatment', 'referral'], categories: ['lab', 'imaging'], grantees: [{ kind: 'any-facility' }], ...overrides.scope },
    evidence: { ...inPersonEvidence(), ...overrides.evidence },
  };
}

/** POST `body` as JSON to `base + path`. */
export function postJson(base: string, path: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Records a consent (201 expected); its consentId. */
export async function recordConsent(base: string, headers: Record<string, string>, body: unknown): Promise<string> {
  const response = await postJson(base, '/v1/consents', headers, body);
  if (response.status !== 201) throw new Error(`POST /v1/consents: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { consentId: string }).consentId;
}

/** Withdraws a granted consent, in person (200 expected). */
export async function withdrawConsent(base: string, headers: Record<string, string>, consentId: string): Promise<void> {
  const response = await postJson(base, `/v1/consents/${consentId}/withdrawal`, headers, { evidence: inPersonEvidence() });
  if (response.status !== 200 && response.status !== 201) throw new Error(`withdrawal: ${response.status} ${await response.text()}`);
}

/** POST /v1/decisions, expecting 200; the decision. */
export async function decide(base: string, headers: Record<string, string>, query: DecisionQuery): Promise<Decision> {
  const response = await postJson(base, '/v1/decisions', headers, query);
  if (response.status !== 200) throw new Error(`POST /v1/decisions: ${response.status} ${await response.text()}`);
  return (await response.json()) as Decision;
}

/**
 * A TCP proxy in front of a server (Postgres) that can stall: `pause()` stops forwarding in both
 * directions and new connections are accepted but never connected through — the peer is silent, as
 * behind a dead network path; `resume()` forwards again (what was held is delivered). `url(target)`
 * rewrites a connection URL to go through the proxy.
 */
export interface PausableProxy {
  readonly port: number;
  url(target: string): string;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startPausableProxy(targetHost: string, targetPort: number): Promise<PausableProxy> {
  let paused = false;
  const pairs = new Set<{ flush(): void; destroy(): void }>();
  const opens: (() => void)[] = [];

  const server: Server = createServer((client) => {
    const toServer: Buffer[] = [];
    const toClient: Buffer[] = [];
    let upstream: Socket | undefined;
    const pair = {
      flush() {
        if (paused || upstream === undefined) return;
        for (const chunk of toServer.splice(0)) upstream.write(chunk);
        for (const chunk of toClient.splice(0)) client.write(chunk);
      },
      destroy() {
        client.destroy();
        upstream?.destroy();
      },
    };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => (toServer.push(chunk), pair.flush()));
    client.on('error', () => undefined);
    client.on('close', () => (pairs.delete(pair), upstream?.destroy()));
    const open = () => {
      if (client.destroyed) return;
      upstream = connect(targetPort, targetHost);
      upstream.on('data', (chunk: Buffer) => (toClient.push(chunk), pair.flush()));
      upstream.on('error', () => undefined);
      upstream.on('close', () => client.destroy());
      pair.flush();
    };
    // Paused: the connection is accepted and then nothing ever comes back, until resumed.
    if (paused) opens.push(open);
    else open();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no port');
  const port = address.port;
  return {
    port,
    url(target: string) {
      const parsed = new URL(target);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const open of opens.splice(0)) open();
      for (const pair of pairs) pair.flush();
    },
    async close() {
      for (const pair of pairs) pair.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
