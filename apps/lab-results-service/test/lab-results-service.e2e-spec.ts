import {
  createTestDatabase,
  createTestIssuer,
  runNodeScript,
  startServiceProcess,
  testInfra,
  type ServiceProcess,
  type TestDatabase,
} from '@lienthong/testing';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The built service (`nx build lab-results-service`, a dependency of this target) run as a real process with
 * plain node after its own migrate.js, against the real Postgres and Kafka.
 */
const DIST = join(__dirname, '../../../dist/apps/lab-results-service');
const ROUTE = '/v1/lab-results';

describe('lab-results-service (built, as a process)', () => {
  const issuer = createTestIssuer();
  let db: TestDatabase;
  let service: ServiceProcess;

  const bearer = async (claims: Parameters<typeof issuer.sign>[0]) => ({
    authorization: `Bearer ${await issuer.sign(claims)}`,
    'content-type': 'application/json',
  });
  const post = async (headers: Record<string, string>, body: unknown = { note: 'chuyển tuyến' }) =>
    fetch(`${service.base}${ROUTE}`, { method: 'POST', headers, body: JSON.stringify(body) });

  beforeAll(async () => {
    expect(existsSync(join(DIST, 'main.js'))).toBe(true);
    db = await createTestDatabase('lab_results');
    const infra = testInfra();
    const env = {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      REDIS_URL: infra.redisUrl,
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    };
    await runNodeScript(join(DIST, 'migrate.js'), env);
    service = await startServiceProcess(join(DIST, 'main.js'), env);
  });

  afterAll(async () => {
    service?.kill();
    await db?.drop();
  });

  it('is live, and ready with Postgres and Kafka checked', async () => {
    expect((await fetch(`${service.base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${service.base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(Object.keys(body.checks).sort()).toEqual(['kafka', 'postgres']);
  });

  it(`POST ${ROUTE}: 401 without a token, 403 without the scope or without a facility`, async () => {
    const none = await post({ 'content-type': 'application/json' });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const wrongScope = await post(await bearer({ facility: '79001', scope: 'system/Patient.rs' }));
    expect(wrongScope.status).toBe(403);
    expect(await wrongScope.json()).toMatchObject({ code: 'insufficient-scope' });

    const person = await post(await bearer({ role: 'ministry-analyst', scope: 'system/LabResult.c' }));
    expect(person.status).toBe(403);
    expect(await person.json()).toMatchObject({ reason: 'facility-required' });
  });

  it(`POST ${ROUTE}: 201 for a facility, recorded as that facility; 422 with a pointer for a bad body`, async () => {
    const created = await post(await bearer({ facility: '79001', scope: 'system/LabResult.c' }), { note: '  chuyển tuyến  ' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ facilityCode: '79001', note: 'chuyển tuyến' });

    const invalid = await post(await bearer({ facility: '79001', scope: 'system/LabResult.c' }), { note: '' });
    expect(invalid.status).toBe(422);
    const problem = (await invalid.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer)).toEqual(['#/note']);
  });
});
