import { createTestIssuer, expectEventually, freePort, startServiceProcess, testInfra, type ServiceProcess } from '@lienthong/testing';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The built service (`nx build sample-service`, a dependency of this target) run as a real process
 * with plain node, against the real Postgres, Kafka and Redis.
 */
const MAIN = join(__dirname, '../../../dist/apps/sample-service/main.js');
const CCCD = '079123456789';
const ECHO_DELAY_MS = 800;

/** The built service with the shared infrastructure plus `env`, ready (see startServiceProcess). */
function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const infra = testInfra();
  return startServiceProcess(MAIN, {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: infra.postgresAdminUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    REDIS_URL: infra.redisUrl,
    SHUTDOWN_TIMEOUT_MS: '10000',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...env,
  });
}

describe('sample-service (built, as a process)', () => {
  const issuer = createTestIssuer();
  let service: ServiceProcess;
  let base: string;
  const logs = () => service.output.stdout + service.output.stderr;

  const bearer = async (scope: string) => ({
    authorization: `Bearer ${await issuer.sign({ facility: '79001', scope, sub: 'his-79001' })}`,
  });

  beforeAll(async () => {
    expect(existsSync(MAIN)).toBe(true);
    service = await startService({
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      SAMPLE_ECHO_DELAY_MS: String(ECHO_DELAY_MS),
    });
    base = service.base;
  });

  afterAll(() => service?.kill());

  it('is live and ready with Postgres, Kafka and Redis checked', async () => {
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(Object.keys(body.checks).sort()).toEqual(['kafka', 'postgres', 'redis']);
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
    expect(await right.json()).toEqual({ subject: 'his-79001', facilityCode: '79001', scopes: ['system/Sample.rs'], purposeOfUse: 'emergency' });
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
