import { decodeCloudEvent, topicsWithDlq, type EventDefinition } from '@lienthong/contracts';
import { provisionTopics, silentLogger } from '@lienthong/messaging';
import {
  collectMessages,
  createTestDatabase,
  runNodeScript,
  startServiceProcess,
  testInfra,
  testKafka,
  uniqueName,
  type ProcessOutput,
  type ServiceProcess,
  type TestDatabase,
  type TestIssuer,
  type TestTokenClaims,
} from '@lienthong/testing';
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { Client } from 'pg';

/**
 * The lab-results e2e stack, as deployed: the built identity-service, consent-service and
 * lab-results-service (`nx build …`), each `node migrate.js` then `node main.js` on a fresh database of
 * its own, the shared Kafka and Redis, random ports, one test issuer whose key every service trusts —
 * and whose private key lab-results-service signs its own service tokens with
 * (LAB_SERVICE_TOKEN_KEY_FILE), so its calls to identity and consent are accepted. Identity can be
 * stopped and started again on the same port (an outage); the builders every spec writes the same way
 * (tokens, XML uploads, submissions, events) are here.
 */
const DIST = join(__dirname, '../../../dist/apps');
export const LAB_MAIN = join(DIST, 'lab-results-service/main.js');
export const LAB_MIGRATE = join(DIST, 'lab-results-service/migrate.js');
export const IDENTITY_MAIN = join(DIST, 'identity-service/main.js');
export const IDENTITY_MIGRATE = join(DIST, 'identity-service/migrate.js');
export const CONSENT_MAIN = join(DIST, 'consent-service/main.js');
export const CONSENT_MIGRATE = join(DIST, 'consent-service/migrate.js');

/** Scopes lab-results-service checks on its ingest routes (the reuse routes add theirs). */
export const LAB_SCOPES = {
  /** POST /v1/xml130 */
  ingest: 'system/Observation.c',
  /** GET /v1/submissions/{id} */
  read: 'system/Observation.rs',
} as const;

/** Facilities of identity's synthetic seed registry (IDENTITY_SEED_FACILITIES=true), with their lab quality. */
export const FACILITIES = {
  /** Bệnh viện Đa khoa Đống Đa — basic (district), lab level 2, no ISO 15189 scope. */
  dongDa: '01903',
  /** Trung tâm Y tế khu vực Sóc Sơn — basic (district), lab level 1. */
  socSon: '01904',
  /** Bệnh viện Thanh Nhàn — specialised (provincial), lab level 3, ISO 15189 GLU CREA WBC HGB. */
  thanhNhan: '01902',
  /** Bệnh viện Bạch Mai — specialised (central), lab level 5. */
  bachMai: '01901',
} as const;

/** A TestIssuer whose private key is also on disk (PKCS#8 PEM), for the service that signs its own tokens. */
export interface KeyedTestIssuer extends TestIssuer {
  readonly privateKeyFile: string;
}

export function createKeyedTestIssuer(options: { issuer?: string; audience?: string } = {}): KeyedTestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = options.issuer ?? 'https://auth.lienthong.test';
  const audience = options.audience ?? 'lienthong';
  const privateKeyFile = join(mkdtempSync(join(tmpdir(), 'lab-e2e-key-')), 'private.pem');
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    issuer,
    audience,
    privateKeyFile,
    sign: (claims = {}) => sign(privateKey, { issuer, audience, ...claims }),
  };
}

async function sign(key: KeyObject, claims: TestTokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { ...claims.extra };
  for (const name of ['facility', 'service', 'role', 'province', 'scope'] as const) if (claims[name] !== undefined) payload[name] = claims[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuer(claims.issuer ?? 'https://auth.lienthong.test')
    .setAudience(claims.audience ?? 'lienthong')
    .setSubject(claims.sub ?? 'test-client')
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.ttlSeconds ?? 300))
    .sign(key);
}

/** What every service of the stack gets: this run's infra, the issuer, a Kafka client id of its own, a 10 s shutdown grace. */
function baseEnv(databaseUrl: string, issuer: TestIssuer, clientId: string): Record<string, string> {
  const infra = testInfra();
  return {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_CLIENT_ID: uniqueName(clientId),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    REDIS_URL: infra.redisUrl,
    AUTH_PUBLIC_KEY: issuer.publicKeyPem,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    SHUTDOWN_TIMEOUT_MS: '10000',
  };
}

/**
 * One built service on its own database: `start()` runs main.js (on the same port after a `stop()`,
 * so the others' URLs stay valid), `stop()` ends it gracefully (SIGTERM), `drop()` kills it and drops
 * the database.
 */
export interface StackService {
  readonly name: string;
  readonly db: TestDatabase;
  readonly env: Record<string, string>;
  readonly migrateOutput: ProcessOutput;
  /** `http://127.0.0.1:<port>`, stable across restarts. */
  readonly base: string;
  /** The running process (undefined while stopped). */
  process(): ServiceProcess | undefined;
  /** The logs of every run so far. */
  logs(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  drop(): Promise<void>;
}

async function startStackService(name: string, main: string, migrate: string, db: TestDatabase, env: Record<string, string>): Promise<StackService> {
  expect(existsSync(main)).toBe(true);
  expect(existsSync(migrate)).toBe(true);
  const migrateOutput = await runNodeScript(migrate, env);
  let current: ServiceProcess | undefined = await startServiceProcess(main, env);
  const port = new URL(current.base).port;
  const pastLogs: string[] = [];
  const service: StackService = {
    name,
    db,
    env: { ...env, PORT: port },
    migrateOutput,
    base: current.base,
    process: () => current,
    logs: () => [...pastLogs, current?.logs() ?? ''].join('\n'),
    async start() {
      if (current !== undefined) return;
      current = await startServiceProcess(main, { ...env, PORT: port });
    },
    async stop() {
      if (current === undefined) return;
      await current.terminate();
      pastLogs.push(current.logs());
      current = undefined;
    },
    async drop() {
      current?.kill();
      current = undefined;
      await db.drop();
    },
  };
  return service;
}

export interface LabStack {
  readonly identity: StackService;
  /** Undefined when started with `consent: false`. */
  readonly consent: StackService | undefined;
  readonly lab: StackService;
  /** Kills every process and drops every database (afterAll). */
  stop(): Promise<void>;
}

export interface LabStackOptions {
  /** Prefix of the databases and client ids, e.g. `lab_ingest_e2e`. */
  readonly name: string;
  /** Extra environment of lab-results-service (wins over the defaults). */
  readonly labEnv?: Record<string, string>;
  /** Start consent-service too (default true); the ingest path does not need it. */
  readonly consent?: boolean;
}

/**
 * identity-service (seed facility registry on), consent-service and lab-results-service, each migrated
 * and ready; lab-results-service knows the other two's URLs, signs its own tokens with the issuer's
 * key, retries pending visits every 300 ms and has a demographics key of this run. The topics the
 * services publish to (identity.*, consent.v1, lab.*) and their dead-letter topics are provisioned first.
 */
export async function startLabStack(issuer: KeyedTestIssuer, options: LabStackOptions): Promise<LabStack> {
  await provisionTopics(testKafka(`${options.name}-topics`), topicsWithDlq(), { logger: silentLogger, replicationFactor: 1 });
  const started: StackService[] = [];
  const dropAll = async () => {
    for (const s of started.reverse()) await s.drop().catch(() => undefined);
  };
  try {
    const dash = options.name.replace(/_/g, '-');
    const identityDb = await createTestDatabase(`${options.name}_identity`);
    const identity = await startStackService('identity-service', IDENTITY_MAIN, IDENTITY_MIGRATE, identityDb, {
      ...baseEnv(identityDb.url, issuer, `${dash}-identity`),
      IDENTITY_SEED_FACILITIES: 'true',
    }).catch(async (error: unknown) => {
      await identityDb.drop();
      throw error;
    });
    started.push(identity);
    let consent: StackService | undefined;
    if (options.consent !== false) {
      const consentDb = await createTestDatabase(`${options.name}_consent`);
      consent = await startStackService('consent-service', CONSENT_MAIN, CONSENT_MIGRATE, consentDb, {
        ...baseEnv(consentDb.url, issuer, `${dash}-consent`),
        CONSENT_CONSUMER_GROUP: uniqueName(`${dash}-consent`),
      }).catch(async (error: unknown) => {
        await consentDb.drop();
        throw error;
      });
      started.push(consent);
    }
    const labDb = await createTestDatabase(`${options.name}_lab`);
    const lab = await startStackService('lab-results-service', LAB_MAIN, LAB_MIGRATE, labDb, {
      ...baseEnv(labDb.url, issuer, `${dash}-lab`),
      LAB_IDENTITY_URL: identity.base,
      LAB_CONSENT_URL: consent?.base ?? 'http://127.0.0.1:9',
      LAB_SERVICE_TOKEN_KEY_FILE: issuer.privateKeyFile,
      LAB_CONSUMER_GROUP: uniqueName(`${dash}-lab`),
      LAB_PENDING_RETRY_MS: '300',
      LAB_DEMOGRAPHICS_KEY: randomBytes(32).toString('base64'),
      ...options.labEnv,
    }).catch(async (error: unknown) => {
      await labDb.drop();
      throw error;
    });
    started.push(lab);
    return { identity, consent, lab, stop: dropAll };
  } catch (error) {
    await dropAll();
    throw error;
  }
}

/** `Bearer <token>` for these claims. */
export async function bearer(issuer: TestIssuer, claims: TestTokenClaims): Promise<string> {
  return `Bearer ${await issuer.sign(claims)}`;
}

/** A facility's HIS (`sub: his-<code>`) with `scope`, for treatment. */
export async function facilityHeaders(issuer: TestIssuer, facility: string, scope: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { authorization: await bearer(issuer, { facility, scope, sub: `his-${facility}` }), 'x-purpose-of-use': 'treatment', ...extra };
}

/** A Liên Thông service's own token (`service` claim) with `scope`. */
export async function serviceHeaders(issuer: TestIssuer, service: string, scope: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return { authorization: await bearer(issuer, { service, scope, sub: service }), 'x-purpose-of-use': 'treatment', ...extra };
}

/** One connection to `url` for `fn` (seeding and peeking in tests), then closed. */
export async function withSql<T>(url: string, fn: (sql: Client) => Promise<T>): Promise<T> {
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** POST /v1/xml130: the file as `application/xml`. */
export function postXml130(base: string, headers: Record<string, string>, file: string | Buffer): Promise<Response> {
  return fetch(`${base}/v1/xml130`, { method: 'POST', headers: { ...headers, 'content-type': 'application/xml' }, body: file });
}

export type VisitOutcome = 'stored' | 'unchanged' | 'pending-patient' | 'rejected';

export interface SubmissionVisit {
  readonly index: number;
  readonly maLk: string | null;
  readonly outcome: VisitOutcome;
  readonly results: { readonly new: number; readonly amended: number; readonly cancelled: number; readonly unchanged: number };
  readonly errors: readonly { readonly pointer: string; readonly rule: string; readonly message: string; readonly severity?: string }[];
}

export interface Submission {
  readonly submissionId: string;
  readonly visits: readonly SubmissionVisit[];
}

/** POST /v1/xml130 expecting 200; the submission's answer. */
export async function submitXml130(base: string, headers: Record<string, string>, file: string | Buffer): Promise<Submission> {
  const response = await postXml130(base, headers, file);
  if (response.status !== 200) throw new Error(`POST /v1/xml130: ${response.status} ${await response.text()}`);
  return (await response.json()) as Submission;
}

/** GET /v1/submissions/{id} expecting 200. */
export async function getSubmission(base: string, headers: Record<string, string>, submissionId: string): Promise<Submission> {
  const response = await fetch(`${base}/v1/submissions/${submissionId}`, { headers });
  if (response.status !== 200) throw new Error(`GET /v1/submissions/${submissionId}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Submission;
}

/** A decoded event as a spec sees it: its type, key and data, and when the test first saw it. */
export interface SeenEvent {
  readonly topic: string;
  readonly type: string;
  readonly key: string | undefined;
  readonly data: Record<string, unknown>;
}

/**
 * Reads `topics` from the beginning with a fresh consumer group; `events(def?)` decodes what has come
 * so far (optionally of one definition). Stop it in afterAll.
 */
export async function collectEvents(topics: readonly { readonly name: string }[], name: string) {
  // Only what this test's run writes: the shared broker's topics hold every earlier run's events.
  const collector = await collectMessages(
    topics.map((t) => t.name),
    uniqueName(name),
    { fromNow: true },
  );
  // Each message decoded once, as it arrives, not on every poll.
  const decoded: SeenEvent[] = [];
  const decodeNew = () => {
    for (const m of collector.messages.slice(decoded.length)) {
      const event = decodeCloudEvent({ headers: m.message.headers, value: m.message.value });
      decoded.push({ topic: m.topic, type: event.type, key: m.message.key?.toString(), data: event.data as Record<string, unknown> });
    }
    return decoded;
  };
  return {
    events(definition?: Pick<EventDefinition, 'type'>): SeenEvent[] {
      return decodeNew().filter((e) => definition === undefined || e.type === definition.type);
    },
    stop: () => collector.stop(),
  };
}
