import {
  createTestDatabase,
  createTestIssuer,
  runNodeScript,
  startServiceProcess,
  testInfra,
  type ServiceProcess,
  type TestDatabase,
} from '@lienthong/testing';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * The built service (`nx build consent-service`, a dependency of this target) run as a real process with
 * plain node after its own migrate.js, against the real Postgres and Kafka.
 */
const DIST = join(__dirname, '../../../dist/apps/consent-service');
const ROUTE = '/v1/consents';

describe('consent-service (built, as a process)', () => {
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
    db = await createTestDatabase('consent');
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

  it('is live, and ready with Postgres, Kafka and the identity-event inbox checked (not Redis: without it decisions come from Postgres)', async () => {
    expect((await fetch(`${service.base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${service.base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(Object.keys(body.checks).sort()).toEqual(['inbox', 'kafka', 'postgres']);
  });

  it(`POST ${ROUTE}: 401 without a token, 403 without the scope or without a facility`, async () => {
    const none = await post({ 'content-type': 'application/json' });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const wrongScope = await post(await bearer({ facility: '79001', scope: 'system/Patient.rs' }));
    expect(wrongScope.status).toBe(403);
    expect(await wrongScope.json()).toMatchObject({ code: 'insufficient-scope' });

    const person = await post(await bearer({ role: 'ministry-analyst', scope: 'system/Consent.c' }));
    expect(person.status).toBe(403);
    expect(await person.json()).toMatchObject({ reason: 'facility-required' });
  });

  it(`POST ${ROUTE}: 201 for a facility, recorded as that facility; 422 with a pointer for a bad body`, async () => {
    // The patient as identity-service's events would have announced it.
    const patient = randomUUID();
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES ($1, NULL, now())`, [patient]);
    await sql.end();
    const consent = (purposes: string[]) => ({
      enterprisePatientId: patient,
      decision: 'grant',
      scope: { purposes, categories: ['lab'], grantees: [{ kind: 'care-relationship' }] },
      evidence: { channel: 'in-person', recordedBy: 'NV-7', informedOfSensitivity: true },
    });

    const created = await post(await bearer({ facility: '79001', scope: 'system/Consent.c' }), consent(['treatment']));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ enterprisePatientId: patient, status: 'granted', versions: [{ version: 1, evidence: { recordedAtFacility: '79001' } }] });

    const invalid = await post(await bearer({ facility: '79001', scope: 'system/Consent.c' }), consent([]));
    expect(invalid.status).toBe(422);
    const problem = (await invalid.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer)).toEqual(['#/scope/purposes']);
  });
});
