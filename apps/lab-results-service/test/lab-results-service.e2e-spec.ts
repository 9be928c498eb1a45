import { createTestDatabase, runNodeScript, startServiceProcess, testInfra, uniqueName, type ServiceProcess, type TestDatabase } from '@lienthong/testing';
import { randomBytes } from 'node:crypto';
import { labVisit, PATIENTS, xml130File } from '../src/lab-result/testing/xml130-visits';
import { bearer, createKeyedTestIssuer, FACILITIES, getSubmission, LAB_MAIN, LAB_MIGRATE, LAB_SCOPES, postXml130, submitXml130 } from './lab-process';

/**
 * The built service (`nx build lab-results-service`) alone, as a process after its own migrate.js, on
 * the real Postgres and Kafka: health, the ingest route's refusals (token, scope, facility, media type,
 * unreadable XML) — and, with no identity-service anywhere, a good file accepted and kept waiting for
 * its patients rather than lost.
 */
describe('lab-results-service (built, as a process)', () => {
  const issuer = createKeyedTestIssuer();
  let db: TestDatabase;
  let service: ServiceProcess;
  const DONG_DA = FACILITIES.dongDa;
  const his = async (scope = `${LAB_SCOPES.ingest} ${LAB_SCOPES.read}`) => ({ authorization: await bearer(issuer, { facility: DONG_DA, scope, sub: `his-${DONG_DA}` }) });
  const file = xml130File(DONG_DA, [labVisit(DONG_DA, `DD.SOLO.${Date.now()}`, PATIENTS.ha, new Date(Date.now() - 3_600_000))]);

  beforeAll(async () => {
    db = await createTestDatabase('lab_results');
    const infra = testInfra();
    const env = {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      KAFKA_CLIENT_ID: uniqueName('lab-solo-e2e'),
      REDIS_URL: infra.redisUrl,
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      // Nobody listens there: identity is "down" for this whole spec.
      LAB_IDENTITY_URL: 'http://127.0.0.1:9',
      LAB_SERVICE_TOKEN_KEY_FILE: issuer.privateKeyFile,
      LAB_CONSUMER_GROUP: uniqueName('lab-solo-e2e'),
      LAB_DEMOGRAPHICS_KEY: randomBytes(32).toString('base64'),
    };
    await runNodeScript(LAB_MIGRATE, env);
    service = await startServiceProcess(LAB_MAIN, env);
  });

  afterAll(async () => {
    service?.kill();
    await db?.drop();
  });

  it('is live, and ready with Postgres and Kafka checked; OpenAPI at /docs lists the ingest routes', async () => {
    expect((await fetch(`${service.base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${service.base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(Object.keys(body.checks)).toEqual(expect.arrayContaining(['kafka', 'postgres']));
    const docs = (await (await fetch(`${service.base}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/v1/xml130', '/v1/submissions/{submissionId}']));
  });

  it('POST /v1/xml130: 401 without a token, 403 without the scope or without a facility, 415 for JSON, 400 with the position for what is not XML', async () => {
    const none = await postXml130(service.base, {}, file);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const wrongScope = await postXml130(service.base, await his('system/Patient.rs'), file);
    expect(wrongScope.status).toBe(403);
    expect(await wrongScope.json()).toMatchObject({ code: 'insufficient-scope' });

    const person = await postXml130(service.base, { authorization: await bearer(issuer, { role: 'ministry-analyst', scope: LAB_SCOPES.ingest }) }, file);
    expect(person.status).toBe(403);
    expect(await person.json()).toMatchObject({ reason: 'facility-required' });

    const json = await fetch(`${service.base}/v1/xml130`, { method: 'POST', headers: { ...(await his()), 'content-type': 'application/json' }, body: '{"visits":[]}' });
    expect(json.status).toBe(415);

    const notXml = await postXml130(service.base, await his(), 'MA_LK;HO_TEN\n');
    expect(notXml.status).toBe(400);
    expect(await notXml.json()).toMatchObject({ reason: 'unreadable-file', line: expect.any(Number), column: expect.any(Number) });
  });

  it('with identity unreachable, a good file is accepted and its visit waits for its patient (GET /v1/submissions/{id} says so)', async () => {
    const answer = await submitXml130(service.base, await his(), file);
    expect(answer.visits).toEqual([expect.objectContaining({ index: 0, outcome: 'pending-patient' })]);
    expect((await getSubmission(service.base, await his(), answer.submissionId)).visits[0]?.outcome).toBe('pending-patient');
  });
});
