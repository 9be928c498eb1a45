import type { DecisionBatchResult } from '@lienthong/contracts';
import {
  createTestIssuer,
  expectEventually,
  facilityHeaders,
  postJson,
  serviceHeaders,
  startPausableProxy,
  testInfra,
  withSql,
  type PausableProxy,
  type ServiceProcess,
} from '@lienthong/testing';
import { createClient } from 'redis';
import {
  CONSENT_SCOPES,
  type ConsentProcess,
  decide,
  grantBody,
  recordConsent,
  seedFacilities,
  seedPatient,
  startConsent,
  startConsentReplica,
  withdrawConsent,
} from './consent-process';

/*
 * The decision point of the built service, as deployed: two replicas on one Postgres and one Redis
 * (a withdrawal through one is seen by the very next decision on the other), and a replica whose
 * database connection stalls (deny consent-unavailable, not ready, and back when it returns).
 */
const CHO_RAY = '79001';
const DISTRICT = '79101';
const HANOI = '01901';

describe('consent-service decisions (built service, two replicas, a stalled database)', () => {
  const issuer = createTestIssuer();
  let a: ConsentProcess;
  let b: ServiceProcess;
  const extra: ServiceProcess[] = [];
  let proxy: PausableProxy | undefined;
  let exchange: Record<string, string>;
  let choRayRecords: Record<string, string>;

  const query = (enterprisePatientId: string, facilityCode = CHO_RAY) => ({ enterprisePatientId, facilityCode, category: 'lab', purpose: 'treatment' }) as const;

  beforeAll(async () => {
    a = await startConsent(issuer, { database: 'consent_decisions_e2e' });
    b = await startConsentReplica(a);
    await seedFacilities(a.db.url, [
      { code: CHO_RAY, level: 'specialised', provinceCode: '79' },
      { code: DISTRICT, level: 'basic', provinceCode: '79' },
      { code: HANOI, level: 'specialised', provinceCode: '01' },
    ]);
    exchange = await serviceHeaders(issuer, 'exchange-service', CONSENT_SCOPES.decide);
    choRayRecords = await facilityHeaders(issuer, CHO_RAY, CONSENT_SCOPES.write);
  });

  afterAll(async () => {
    for (const service of [b, ...extra]) service?.kill();
    await proxy?.close();
    await a?.stop();
  });

  it('a withdrawal through replica A is seen by the very next decision on replica B, which had it cached', async () => {
    const patient = await seedPatient(a.db.url, [DISTRICT, CHO_RAY]);
    const consentId = await recordConsent(a.base, choRayRecords, grantBody(patient));

    expect(await decide(b.base, exchange, query(patient))).toMatchObject({ decision: 'permit', reason: 'consent-granted', basis: [{ consentId, version: 1 }] });
    // B answered from the truth and cached the patient's state in the shared Redis; the next answer comes from there.
    const redis = createClient({ url: testInfra().redisUrl });
    await redis.connect();
    try {
      expect(await redis.keys(`consent:state:*:${patient}`)).toHaveLength(1);
    } finally {
      await redis.close();
    }
    expect(await decide(b.base, exchange, query(patient))).toMatchObject({ decision: 'permit' });

    await withdrawConsent(a.base, choRayRecords, consentId);
    // No waiting: the very next decision.
    expect(await decide(b.base, exchange, query(patient))).toMatchObject({ decision: 'deny', reason: 'consent-withdrawn', basis: [{ consentId, version: 2 }] });
  });

  it('the batch answers in order; sensitive data is excluded unless named; unknown patients and facilities are denied; every decision is audited', async () => {
    const granted = await seedPatient(a.db.url, [DISTRICT, CHO_RAY]);
    await recordConsent(a.base, choRayRecords, grantBody(granted));
    const refused = await seedPatient(a.db.url, [CHO_RAY]);
    await recordConsent(a.base, choRayRecords, grantBody(refused, { decision: 'refuse' }));
    const unknown = '0192ffff-0000-7000-8000-000000000001';

    const response = await postJson(b.base, '/v1/decisions/batch', exchange, {
      queries: [query(granted), { ...query(granted), category: 'hiv' }, query(refused), query(unknown), query(granted, '99999'), { ...query(granted), purpose: 'research-deidentified' }],
    });
    expect(response.status).toBe(200);
    const { decisions } = (await response.json()) as DecisionBatchResult;
    expect(decisions.map((d) => `${d.decision}:${d.reason}`)).toEqual([
      'permit:consent-granted',
      'deny:no-consent',
      'deny:consent-refused',
      'deny:unknown-patient',
      'deny:unknown-facility',
      'deny:no-consent',
    ]);
    expect(decisions[0]?.obligations).toEqual([{ code: 'exclude-categories', categories: ['hiv', 'mental-health', 'genetics', 'sexual-reproductive-health'] }]);

    const audited = await withSql(a.db.url, (sql) =>
      sql.query<{ acting_service: string; outcome: string; reason: string }>(
        `SELECT acting_service, outcome, detail->>'reason' AS reason FROM audit_log WHERE action = 'decision' AND patient_id = $1 ORDER BY id`,
        [granted],
      ),
    );
    expect(audited.rows).toEqual([
      { acting_service: 'exchange-service', outcome: 'permit', reason: 'consent-granted' },
      { acting_service: 'exchange-service', outcome: 'deny', reason: 'no-consent' },
      { acting_service: 'exchange-service', outcome: 'deny', reason: 'unknown-facility' },
      { acting_service: 'exchange-service', outcome: 'deny', reason: 'no-consent' },
    ]);
  });

  it('refuses without a token (401), without the scope (403), a facility asking about another facility (403), and bad input (422 naming the field)', async () => {
    const patient = await seedPatient(a.db.url);
    expect((await postJson(b.base, '/v1/decisions', {}, query(patient))).status).toBe(401);

    const noScope = await postJson(b.base, '/v1/decisions', await serviceHeaders(issuer, 'exchange-service', CONSENT_SCOPES.read), query(patient));
    expect(noScope.status).toBe(403);

    const choRay = await facilityHeaders(issuer, CHO_RAY, CONSENT_SCOPES.decide);
    expect(await decide(b.base, choRay, query(patient))).toMatchObject({ decision: 'deny', reason: 'no-consent' });
    const other = await postJson(b.base, '/v1/decisions', choRay, query(patient, HANOI));
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ reason: 'forbidden' });

    const bad = await postJson(b.base, '/v1/decisions/batch', exchange, { queries: [query(patient), { ...query(patient), category: 'x-ray', purpose: 'marketing' }] });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer).sort()).toEqual(['#/queries/1/category', '#/queries/1/purpose']);

    const tooMany = await postJson(b.base, '/v1/decisions/batch', exchange, { queries: Array.from({ length: 1001 }, () => query(patient)) });
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toEqual(['#/queries']);
  });

  it('database unreachable: an uncached decision answers deny consent-unavailable within the DB timeouts, the replica is not ready; back when the database is', async () => {
    const dbUrl = new URL(a.db.url);
    proxy = await startPausableProxy(dbUrl.hostname, Number(dbUrl.port || 5432));
    const stalled = await startConsentReplica(a, {
      DATABASE_URL: proxy.url(a.db.url),
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_STATEMENT_TIMEOUT_MS: '1000',
    });
    extra.push(stalled);
    const patient = await seedPatient(a.db.url, [CHO_RAY]);
    await recordConsent(a.base, choRayRecords, grantBody(patient));

    proxy.pause();
    const started = Date.now();
    const answer = await decide(stalled.base, exchange, query(patient));
    const elapsed = Date.now() - started;
    expect(answer).toEqual({ decision: 'deny', reason: 'consent-unavailable', basis: [], obligations: [] });
    // Connect or statement timeout (1 s) plus the client's grace (1 s), with room for a slow machine.
    expect(elapsed).toBeLessThan(6_000);
    await expectEventually(async () => expect((await fetch(`${stalled.base}/health/ready`)).status).toBe(503), { timeoutMs: 15_000 });
    const failedClosed = stalled.logs().split('\n').filter((line) => line.includes('failed closed'));
    expect(failedClosed).toHaveLength(1);
    expect(failedClosed[0]).toMatch(/"level":"error"/);
    expect(failedClosed[0]).not.toContain(patient);

    proxy.resume();
    await expectEventually(async () => expect((await fetch(`${stalled.base}/health/ready`)).status).toBe(200), { timeoutMs: 30_000 });
    await expectEventually(async () => expect(await decide(stalled.base, exchange, query(patient))).toMatchObject({ decision: 'permit', reason: 'consent-granted' }), {
      timeoutMs: 15_000,
    });
  });
});
