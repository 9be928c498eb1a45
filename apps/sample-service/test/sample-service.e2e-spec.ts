import { buildEvent, encodeCloudEvent, PatientLinkedV1, PatientMergedV1, PatientRegisteredV1, topicsWithDlq, Topics, type EncodedRecord } from '@lienthong/contracts';
import { createProducer, provisionTopics, silentLogger } from '@lienthong/messaging';
import {
  collectMessages,
  createTestDatabase,
  createTestIssuer,
  expectEventually,
  freePort,
  runNodeScript,
  startServiceProcess,
  testInfra,
  testKafka,
  uniqueName,
  type ServiceProcess,
  type TestDatabase,
} from '@lienthong/testing';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { v4 as uuidv4 } from 'uuid';

/**
 * The built service (`nx build sample-service`, a dependency of this target) run as a real process
 * with plain node, against a fresh database (migrated by the built migrate.js) and the real Kafka
 * and Redis.
 */
const DIST = join(__dirname, '../../../dist/apps/sample-service');
const MAIN = join(DIST, 'main.js');
const MIGRATE = join(DIST, 'migrate.js');
const CCCD = '079123456789';
const ECHO_DELAY_MS = 800;
const PATIENT_TOPIC = Topics.identityPatientV1.name;

let db: TestDatabase | undefined;

beforeAll(async () => {
  expect(existsSync(MAIN)).toBe(true);
  db = await createTestDatabase('sample_e2e');
  // The whole configuration is validated, an auth key included, though migrations need none.
  const { publicKeyPem } = createTestIssuer();
  await runNodeScript(MIGRATE, { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', DATABASE_URL: db.url, AUTH_PUBLIC_KEY: publicKeyPem });
  await provisionTopics(testKafka('sample-e2e'), topicsWithDlq([Topics.identityPatientV1]), { logger: silentLogger, replicationFactor: 1 });
});

afterAll(() => db?.drop());

/**
 * A consumer group unique to this run, positioned at the topic's current end: the service reads
 * exactly what the test publishes from now on, however long its group join takes (the topic is
 * shared and may hold days of other runs' events).
 */
async function freshGroupAtEnd(): Promise<string> {
  const group = uniqueName('sample-e2e');
  const admin = testKafka('sample-e2e').admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(PATIENT_TOPIC);
    await admin.setOffsets({ groupId: group, topic: PATIENT_TOPIC, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  } finally {
    await admin.disconnect();
  }
  return group;
}

/** The built service with the shared infrastructure plus `env`, ready (see startServiceProcess). */
async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const infra = testInfra();
  if (!db) throw new Error('no test database');
  return startServiceProcess(MAIN, {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    SHUTDOWN_TIMEOUT_MS: '10000',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    SAMPLE_CONSUMER_GROUP: env['SAMPLE_CONSUMER_GROUP'] ?? (await freshGroupAtEnd()),
    ...env,
  });
}

describe('sample-service (built, as a process)', () => {
  const issuer = createTestIssuer();
  let service: ServiceProcess;
  let base: string;
  let group: string;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const logs = () => service.output.stdout + service.output.stderr;

  const bearer = async (scope: string) => ({
    authorization: `Bearer ${await issuer.sign({ facility: '79001', scope, sub: 'his-79001' })}`,
  });

  beforeAll(async () => {
    group = await freshGroupAtEnd();
    service = await startService({
      SAMPLE_CONSUMER_GROUP: group,
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      SAMPLE_ECHO_DELAY_MS: String(ECHO_DELAY_MS),
    });
    base = service.base;
  });

  afterAll(() => service?.kill());

  it('is live and ready with Postgres, Kafka, Redis and its consumer group checked', async () => {
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(Object.keys(body.checks).sort()).toEqual(['inbox', 'kafka', 'postgres', 'redis']);
    expect(Object.values(body.checks).every((c) => c.status === 'up')).toBe(true);
  });

  it('serves an OpenAPI document', async () => {
    const response = await fetch(`${base}/docs-json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths).toHaveProperty(['/v1/whoami']);
    expect(doc.paths).toHaveProperty(['/v1/echo']);
  });

  it('GET /v1/whoami: 401 problem+json without a token, 403 with the wrong scope, 200 with the right one', async () => {
    const none = await fetch(`${base}/v1/whoami`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toMatchObject({ type: 'https://lienthong.vn/problems/unauthorized', status: 401 });

    const wrong = await fetch(`${base}/v1/whoami`, { headers: await bearer('system/Patient.rs') });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: 'insufficient-scope', status: 403 });

    const right = await fetch(`${base}/v1/whoami`, { headers: { ...(await bearer('system/Sample.rs')), 'x-purpose-of-use': 'emergency' } });
    expect(right.status).toBe(200);
    expect(await right.json()).toMatchObject({ kind: 'facility', subject: 'his-79001', facilityCode: '79001', scopes: ['system/Sample.rs'], purposeOfUse: 'emergency' });
  });

  it('POST /v1/echo: 422 problem+json with JSON pointers for a bad body', async () => {
    const response = await fetch(`${base}/v1/echo`, {
      method: 'POST',
      headers: { ...(await bearer('system/Sample.c')), 'content-type': 'application/json' },
      body: JSON.stringify({ message: '', patient: { cccd: `${CCCD}x` }, repeat: 9 }),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { type: string; errors: { pointer: string; rule: string }[] };
    expect(problem.type).toBe('https://lienthong.vn/problems/validation-error');
    expect(problem.errors.map((e) => e.pointer)).toEqual(['#/message', '#/patient/cccd', '#/repeat']);
  });

  it('exposes Prometheus metrics with the HTTP histogram by route template', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(text).toMatch(/http_server_request_duration_seconds_count\{[^}]*route="\/v1\/whoami"[^}]*status_code="403"\}/);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('keeps a CCCD sent in a body, header, path or query out of its logs', async () => {
    const echo = await fetch(`${base}/v1/echo`, {
      method: 'POST',
      headers: { ...(await bearer('system/Sample.cruds')), 'content-type': 'application/json', 'x-patient-id': CCCD },
      body: JSON.stringify({ message: 'xin chào', patient: { cccd: CCCD, identifiers: [{ system: 'cccd', value: CCCD }] } }),
    });
    expect(echo.status).toBe(200);
    expect(await echo.json()).toEqual({ echo: 'xin chào', facilityCode: '79001', hasPatient: true });
    expect((await fetch(`${base}/v1/patients/${CCCD}?cccd=${CCCD}`)).status).toBe(404);
    // The echo handler logs the CCCD carelessly; the line is there, the number is not.
    // Log lines reach us through a pipe, a moment after the responses.
    await expectEventually(() => {
      expect(service.output.stdout).toContain('echo for patient [REDACTED]');
      expect(service.output.stdout).toContain('/v1/patients/[REDACTED]?cccd=[REDACTED]');
    });
    expect(logs()).not.toContain(CCCD);
  });

  it('applies identity.patient.v1 events declaratively: once each, merges followed, poison to the DLQ while it keeps going', async () => {
    const tag = uniqueName('e2e').replace(/[^a-z0-9]/gi, '').toUpperCase();
    const [p1, p2, p3, p4] = [uuidv4(), uuidv4(), uuidv4(), uuidv4()] as [string, string, string, string];
    const record = (definition: Parameters<typeof buildEvent>[0], data: unknown): EncodedRecord => {
      const { event, key } = buildEvent(definition, data, { source: '/lienthong/identity-service' });
      return encodeCloudEvent(event, key);
    };
    const registered = (enterprisePatientId: string, facilityCode: string, localId: string) =>
      record(PatientRegisteredV1, { enterprisePatientId, facilityCode, localId, outcome: 'created', sex: 2, birthYear: 1990, provinceCode: '79', identifierSystems: ['cccd'] });
    const merged = (survivorId: string, mergedId: string, localId: string) =>
      record(PatientMergedV1, { mergeId: uuidv4(), survivorId, mergedId, movedLinks: [{ facilityCode: '79001', localId }] });
    const first = registered(p1, '79001', `A-${tag}`);
    const dlq = await collectMessages([`${PATIENT_TOPIC}.dlq`], uniqueName('sample-dlq'));
    cleanups.push(() => dlq.stop());
    const producer = createProducer(testKafka('sample-e2e'));
    const headers = await bearer('system/Sample.r');
    const seenAt79001 = async () => {
      const response = await fetch(`${base}/v1/seen-patients?limit=500`, { headers });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { facilityCode: string; patients: { localId: string; enterprisePatientId: string; sightings: number }[] };
      expect(body.facilityCode).toBe('79001');
      return body.patients.filter((p) => p.localId.endsWith(tag)).map(({ localId, enterprisePatientId, sightings }) => ({ localId, enterprisePatientId, sightings }));
    };
    await producer.connect();
    try {
      await producer.send({
        topic: PATIENT_TOPIC,
        messages: [
          first,
          first, // redelivered (same CloudEvent id): applied once
          registered(p2, '79001', `B-${tag}`),
          registered(p3, '01902', `C-${tag}`), // another facility: not in 79001's list
          record(PatientLinkedV1, { enterprisePatientId: p4, facilityCode: '79001', localId: `D-${tag}`, method: 'cccd', score: null }),
        ],
      });
      // Order holds per key (partition) only; identity merges a patient it registered earlier, so wait.
      await expectEventually(
        async () =>
          expect(await seenAt79001()).toEqual([
            { localId: `A-${tag}`, enterprisePatientId: p1, sightings: 1 },
            { localId: `B-${tag}`, enterprisePatientId: p2, sightings: 1 },
            { localId: `D-${tag}`, enterprisePatientId: p4, sightings: 1 },
          ]),
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      await producer.send({
        topic: PATIENT_TOPIC,
        messages: [
          // Poison on p1's key (its partition), before the merge that must still be applied:
          { ...first, value: Buffer.from(JSON.stringify({ enterprisePatientId: 'not-a-uuid' })) },
          merged(p1, p1, `A-${tag}`), // a patient merged into itself: a domain rule, not a retry
          merged(p1, p2, `B-${tag}`),
        ],
      });
    } finally {
      await producer.disconnect();
    }
    await expectEventually(
      async () =>
        expect(await seenAt79001()).toEqual([
          { localId: `A-${tag}`, enterprisePatientId: p1, sightings: 1 },
          { localId: `B-${tag}`, enterprisePatientId: p1, sightings: 2 },
          { localId: `D-${tag}`, enterprisePatientId: p4, sightings: 1 },
        ]),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const ours = () => dlq.messages.filter((m) => m.message.headers?.['dlq-consumer']?.toString() === group);
    await expectEventually(() => expect(ours()).toHaveLength(2), { timeoutMs: 30_000 });
    expect(ours().map((m) => m.message.headers?.['dlq-reason']?.toString())).toEqual(['schema', 'same-patient']);
    expect(ours().map((m) => m.message.key?.toString())).toEqual([p1, p1]);
    // The inbox's own metrics, on the service's /metrics.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`lienthong_inbox_process_seconds_count\\{[^}]*consumer="${group}"[^}]*outcome="duplicate"[^}]*\\} 1`));
    expect((await fetch(`${base}/v1/seen-patients`)).status).toBe(401);
  });

  it('on SIGTERM finishes the in-flight request, then exits 0', async () => {
    const seen = service.output.stdout.length;
    const inFlight = fetch(`${base}/v1/echo`, {
      method: 'POST',
      headers: { ...(await bearer('system/Sample.c')), 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'in flight' }),
    });
    // The handler logs before its delay: once the line is out, the request is inside the service.
    await expectEventually(() => expect(service.output.stdout.slice(seen)).toContain('echo for patient none'));
    const exitCode = service.terminate(15_000);

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ echo: 'in flight' });
    expect(await exitCode).toBe(0);
    expect(service.output.stdout).toContain('shutdown complete');
    expect(logs()).not.toContain(CCCD);
  });
});

describe('sample-service with tracing on', () => {
  const issuer = createTestIssuer();
  let service: ServiceProcess | undefined;
  afterAll(() => service?.kill());

  it('starts, traces requests into the logs and still exits 0 with no collector listening', async () => {
    service = await startService({
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      OTEL_ENABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
    const token = await issuer.sign({ facility: '79001', scope: 'system/Sample.r' });
    const response = await fetch(`${service.base}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    // The pino instrumentation adds the active span to each log line.
    const running = service;
    await expectEventually(() => expect(running.output.stdout).toMatch(/"url":"\/v1\/whoami".*"trace_id":"[0-9a-f]{32}"|"trace_id":"[0-9a-f]{32}".*"url":"\/v1\/whoami"/));
    expect(await service.terminate(15_000)).toBe(0);
  });
});
