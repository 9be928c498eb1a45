import { bearer, createTestIssuer, postJson, type TestTokenClaims } from '@lienthong/testing';
import { type ConsentProcess, grantBody, seedPatient, startConsent } from './consent-process';

/**
 * The built service (`nx build consent-service`, a dependency of this target) run as a real process with
 * plain node after its own migrate.js, against the real Postgres and Kafka.
 */
const ROUTE = '/v1/consents';

describe('consent-service (built, as a process)', () => {
  const issuer = createTestIssuer();
  let consent: ConsentProcess;

  const post = async (claims: TestTokenClaims | undefined, body: unknown = { note: 'chuyển tuyến' }) =>
    postJson(consent.base, ROUTE, claims === undefined ? {} : { authorization: await bearer(issuer, claims) }, body);

  beforeAll(async () => {
    consent = await startConsent(issuer, { database: 'consent' });
  });

  afterAll(async () => {
    await consent?.stop();
  });

  it('is live, and ready with Postgres, Kafka and the identity-event inbox checked (not Redis: without it decisions come from Postgres)', async () => {
    expect((await fetch(`${consent.base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${consent.base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(Object.keys(body.checks).sort()).toEqual(['inbox', 'kafka', 'postgres']);
  });

  it(`POST ${ROUTE}: 401 without a token, 403 without the scope or without a facility`, async () => {
    const none = await post(undefined);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const wrongScope = await post({ facility: '79001', scope: 'system/Patient.rs' });
    expect(wrongScope.status).toBe(403);
    expect(await wrongScope.json()).toMatchObject({ code: 'insufficient-scope' });

    const person = await post({ role: 'ministry-analyst', scope: 'system/Consent.c' });
    expect(person.status).toBe(403);
    expect(await person.json()).toMatchObject({ reason: 'facility-required' });
  });

  it(`POST ${ROUTE}: 201 for a facility, recorded as that facility; 422 with a pointer for a bad body`, async () => {
    // The patient as identity-service's events would have announced it.
    const patient = await seedPatient(consent.db.url, ['79001']);
    const body = (purposes: string[]) => grantBody(patient, { scope: { purposes, categories: ['lab'], grantees: [{ kind: 'care-relationship' }] } });

    const created = await post({ facility: '79001', scope: 'system/Consent.c' }, body(['treatment']));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ enterprisePatientId: patient, status: 'granted', versions: [{ version: 1, evidence: { recordedAtFacility: '79001' } }] });

    const invalid = await post({ facility: '79001', scope: 'system/Consent.c' }, body([]));
    expect(invalid.status).toBe(422);
    const problem = (await invalid.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer)).toEqual(['#/scope/purposes']);
  });
});
