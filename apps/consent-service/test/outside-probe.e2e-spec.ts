import {
  bearer,
  createTestIssuer,
  expectEventually,
  facilityHeaders,
  postJson,
  probe,
  rawProbe,
  serviceHeaders,
  startPausableProxy,
  testInfra,
  withSql,
  type PausableProxy,
  type ProbeAnswer,
  type ServiceProcess,
  type TestTokenClaims,
} from '@lienthong/testing';
import { randomUUID } from 'node:crypto';
import { CONSENT_SCOPES, type ConsentProcess, grantBody, recordConsent, seedFacilities, seedPatient, startConsent, startConsentReplica } from './consent-process';

/*
 * consent-service attacked from outside, on its build output: another facility's token on every route
 * (reads by id included), tokens without scopes, a person's, a service's without act-for; identifiers
 * encoded every way in paths and query strings; NUL bytes and bad UTF-8 in bodies and headers; bodies
 * too big, too deep, too many; wrong content types; and a replica whose Postgres, then Redis, accepts
 * connections and never answers. Each case is a regression test for what the probe found (the report
 * of helper P): every answer is problem+json (an OperationOutcome under /fhir), never a 500, never a
 * hang, never a stack.
 */
const A = '79611'; // registered the patient, recorded its consent, broke the glass
const B = '79612'; // a facility of the same province with no relationship to the patient
const HANOI = '01611';
const ALL = [CONSENT_SCOPES.write, CONSENT_SCOPES.read, CONSENT_SCOPES.decide, CONSENT_SCOPES.emergency, 'lienthong/audit.read'].join(' ');
const REASON = 'Bệnh nhân hôn mê sau tai nạn, cần tiền sử dị ứng';

const PROBLEM = /^application\/problem\+json/;
const FHIR = /^application\/fhir\+json/;

/** problem+json (or an OperationOutcome under /fhir) with this status, and nothing of a stack in it. */
function expectRefusal(answer: ProbeAnswer, status: number, path: string): void {
  expect({ path, status: answer.status }).toEqual({ path, status });
  expect(answer.contentType).toMatch(path.startsWith('/fhir') ? FHIR : PROBLEM);
  expect(answer.body).not.toMatch(/\bat .*\.js:\d+|stack|TypeError|node_modules/);
}

describe('consent-service attacked from outside (built service)', () => {
  const issuer = createTestIssuer();
  let consent: ConsentProcess;
  let patient: string;
  let consentId: string;
  let hA: Record<string, string>;
  let hB: Record<string, string>;

  const token = async (claims: TestTokenClaims, extra: Record<string, string> = {}) => ({ authorization: await bearer(issuer, claims), 'x-purpose-of-use': 'treatment', ...extra });
  const json = { 'content-type': 'application/json' };
  const decisionFor = (facilityCode: string, id = patient) => ({ enterprisePatientId: id, facilityCode, category: 'lab', purpose: 'treatment' });

  /** Every route with a body that would succeed for A. */
  const routes = () => [
    { method: 'POST', path: '/v1/consents', body: grantBody(patient) },
    { method: 'POST', path: `/v1/consents/${consentId}/versions`, body: { scope: grantBody(patient).scope, evidence: grantBody(patient).evidence } },
    { method: 'POST', path: `/v1/consents/${consentId}/withdrawal`, body: { evidence: grantBody(patient).evidence } },
    { method: 'GET', path: `/v1/consents/${consentId}` },
    { method: 'GET', path: `/v1/patients/${patient}/consents` },
    { method: 'GET', path: `/fhir/Consent/${consentId}` },
    { method: 'GET', path: `/fhir/Consent/${consentId}/_history/1` },
    { method: 'GET', path: `/fhir/Consent?patient=Patient/${patient}` },
    { method: 'POST', path: '/v1/decisions', body: decisionFor(A) },
    { method: 'POST', path: '/v1/decisions/batch', body: { queries: [decisionFor(A)] } },
    { method: 'POST', path: '/v1/emergency-access', body: { enterprisePatientId: patient, clinicianId: 'BS-1', reason: REASON } },
    { method: 'GET', path: `/v1/emergency-access/report?from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}` },
  ];
  const send = (base: string, route: { method: string; path: string; body?: unknown }, headers: Record<string, string>) =>
    probe(base, route.method, route.path, route.body === undefined ? headers : { ...headers, ...json }, route.body === undefined ? undefined : JSON.stringify(route.body));

  beforeAll(async () => {
    consent = await startConsent(issuer, { database: 'consent_probe_e2e' });
    await seedFacilities(consent.db.url, [
      { code: A, level: 'specialised', provinceCode: '79' },
      { code: B, level: 'basic', provinceCode: '79' },
      { code: HANOI, level: 'specialised', provinceCode: '01' },
    ]);
    patient = await seedPatient(consent.db.url, [A]);
    hA = await facilityHeaders(issuer, A, ALL);
    hB = await facilityHeaders(issuer, B, ALL);
    consentId = await recordConsent(consent.base, hA, grantBody(patient));
    expect((await postJson(consent.base, '/v1/emergency-access', hA, { enterprisePatientId: patient, clinicianId: 'BS-1', reason: REASON })).status).toBe(201);
  });

  afterAll(async () => {
    await consent?.stop();
  });

  describe('another facility, and tokens that may not', () => {
    it('a facility with no relationship to the patient reads nothing by id or by patient, changes nothing, and cannot plant a consent to become a reader', async () => {
      for (const path of [`/v1/consents/${consentId}`, `/v1/patients/${patient}/consents`, `/fhir/Consent/${consentId}`, `/fhir/Consent/${consentId}/_history/1`]) {
        expectRefusal(await probe(consent.base, 'GET', path, hB), 404, path);
      }
      const search = await probe(consent.base, 'GET', `/fhir/Consent?patient=Patient/${patient}`, hB);
      expect(search.status).toBe(200);
      expect(JSON.parse(search.body)).toMatchObject({ resourceType: 'Bundle', total: 0 });
      for (const [path, body] of [
        [`/v1/consents/${consentId}/versions`, { scope: grantBody(patient).scope, evidence: grantBody(patient).evidence }],
        [`/v1/consents/${consentId}/withdrawal`, { evidence: grantBody(patient).evidence }],
      ] as const) {
        expectRefusal(await probe(consent.base, 'POST', path, { ...hB, ...json }, JSON.stringify(body)), 404, path);
      }

      // Before the fix: 201, and B then read, changed and withdrew A's consent as a "recorder" of the patient.
      const planted = await probe(consent.base, 'POST', '/v1/consents', { ...hB, ...json }, JSON.stringify(grantBody(patient)));
      expectRefusal(planted, 422, '/v1/consents');
      expect(JSON.parse(planted.body)).toMatchObject({ errors: [{ pointer: '#/enterprisePatientId', rule: 'care-relationship' }] });
      expectRefusal(await probe(consent.base, 'GET', `/v1/consents/${consentId}`, hB), 404, `/v1/consents/${consentId}`);
      expect((await probe(consent.base, 'GET', `/v1/consents/${consentId}`, hA)).status).toBe(200);
    });

    it('a facility asks decisions only about itself, and reads only its own emergency accesses', async () => {
      for (const path of ['/v1/decisions', '/v1/decisions/batch']) {
        const body = path.endsWith('batch') ? { queries: [decisionFor(B), decisionFor(A)] } : decisionFor(A);
        const answer = await probe(consent.base, 'POST', path, { ...hB, ...json }, JSON.stringify(body));
        expectRefusal(answer, 403, path);
        expect(JSON.parse(answer.body)).toMatchObject({ reason: 'forbidden' });
      }
      const window = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`;
      expectRefusal(await probe(consent.base, 'GET', `/v1/emergency-access/report?${window}&facilityCode=${A}`, hB), 403, '/v1/emergency-access/report');
      const own = JSON.parse((await probe(consent.base, 'GET', `/v1/emergency-access/report?${window}`, hB)).body) as { facilities: unknown[] };
      expect(own.facilities).toEqual([]);
    });

    it('a token without scopes is refused on every route (403), and a foreign or expired one (401)', async () => {
      const none = await facilityHeaders(issuer, A, '');
      const foreign = { authorization: await bearer(createTestIssuer(), { facility: A, scope: ALL }) };
      const expired = { authorization: await bearer(issuer, { facility: A, scope: ALL, ttlSeconds: -60 }) };
      for (const route of routes()) {
        expectRefusal(await send(consent.base, route, none), 403, route.path);
        expectRefusal(await send(consent.base, route, foreign), 401, route.path);
        expectRefusal(await send(consent.base, route, expired), 401, route.path);
      }
    });

    it('a person’s token writes nothing, asks no decision (before the fix: 200 about any facility) and reads nothing but as a data steward', async () => {
      const analyst = await token({ role: 'ministry-analyst', scope: ALL });
      for (const route of routes()) {
        const answer = await send(consent.base, route, analyst);
        if (route.path.startsWith('/v1/emergency-access/report') || route.path.startsWith('/fhir/Consent?')) expect(answer.status).toBe(200);
        else expectRefusal(answer, route.method === 'GET' ? 404 : 403, route.path);
      }
    });

    it('a service without act-for writes nothing and reads nothing; with act-for it is the facility it names', async () => {
      const exchange = await serviceHeaders(issuer, 'exchange-service', ALL);
      for (const route of routes().filter((r) => !r.path.startsWith('/v1/decisions'))) {
        const answer = await send(consent.base, route, exchange);
        if (route.path.startsWith('/fhir/Consent?')) expect(answer.status).toBe(200);
        else expectRefusal(answer, route.method === 'GET' && !route.path.startsWith('/v1/emergency-access') ? 404 : 403, route.path);
      }
      const withoutGrant = await serviceHeaders(issuer, 'exchange-service', ALL, { 'x-act-for-facility': B });
      expectRefusal(await probe(consent.base, 'GET', `/v1/consents/${consentId}`, withoutGrant), 403, '/v1/consents');
      const forB = await serviceHeaders(issuer, 'exchange-service', `${ALL} lienthong/act-for`, { 'x-act-for-facility': B });
      expectRefusal(await probe(consent.base, 'GET', `/v1/consents/${consentId}`, forB), 404, '/v1/consents');
      expectRefusal(await probe(consent.base, 'POST', '/v1/consents', { ...forB, ...json }, JSON.stringify(grantBody(patient))), 422, '/v1/consents');
    });
  });

  describe('identifiers encoded every way', () => {
    it('an upper-case UUID is the same id; braces, urn:, %2F, .., %00, %20 are 400, never a 500', async () => {
      expect((await probe(consent.base, 'GET', `/v1/consents/${consentId.toUpperCase()}`, hA)).status).toBe(200);
      expect((await probe(consent.base, 'GET', `/v1/patients/${patient.toUpperCase()}/consents`, hA)).status).toBe(200);
      expect((await probe(consent.base, 'GET', `/fhir/Consent/${consentId.toUpperCase()}/_history/1`, hA)).status).toBe(200);
      for (const id of [`{${consentId}}`, `urn:uuid:${consentId}`, `${consentId}%2F..%2F..%2Fmetrics`, `..%2F${consentId}`, `${consentId}%00`, `${consentId}%20`]) {
        for (const path of [`/v1/consents/${id}`, `/v1/patients/${id}/consents`, `/fhir/Consent/${id}`, `/fhir/Consent/${id}/_history/1`]) {
          const answer = await probe(consent.base, 'GET', path, hA);
          expect([400, 422]).toContain(answer.status);
          expectRefusal(answer, answer.status, path);
        }
      }
    });

    it('bad UTF-8 in a path is a problem+json 400, a path segment over the limit a 414 (before: Fastify’s own JSON, the path echoed)', async () => {
      for (const path of ['/v1/consents/%FF%FE', '/fhir/Consent/%C0%AE%C0%AE', `/v1/patients/%E0%A4%A/consents`]) {
        const answer = await probe(consent.base, 'GET', path, hA);
        expect(answer.status).toBe(400);
        expect(answer.contentType).toMatch(PROBLEM);
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'bad-request' });
        expect(answer.body).not.toContain('%');
      }
      const long = await probe(consent.base, 'GET', `/v1/consents/${'a'.repeat(5000)}`, hA);
      expect(long.status).toBe(414);
      expect(long.contentType).toMatch(PROBLEM);
      expect(long.body.length).toBeLessThan(1000);
    });

    it('a search parameter given twice is a 422 naming it (before: 500), and query strings with NUL or junk are 422', async () => {
      const twice = await probe(consent.base, 'GET', `/fhir/Consent?patient=Patient/${patient}&patient=Patient/${patient}`, hA);
      expectRefusal(twice, 422, '/fhir/Consent');
      expect(twice.body).toContain('patient');
      for (const path of [`/fhir/Consent?patient=Patient/${patient}&_count=1&_count=2`, `/fhir/Consent?patient=Patient/${patient}&_cursor=%00`, '/fhir/Consent?patient=Patient/%00']) {
        expectRefusal(await probe(consent.base, 'GET', path, hA), 422, path);
      }
      for (const query of ['cursor=%00', 'limit=%00', 'limit=0', 'limit=100000', 'cursor=a&cursor=b', 'limit=1&limit=2']) {
        expectRefusal(await probe(consent.base, 'GET', `/v1/patients/${patient}/consents?${query}`, hA), 422, `/v1/patients?${query}`);
      }
      for (const query of ['from=%00&to=%00', 'from=2026-01-01T00:00:00Z&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z', `from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&facilityCode=7961%00`]) {
        expectRefusal(await probe(consent.base, 'GET', `/v1/emergency-access/report?${query}`, hA), 422, '/v1/emergency-access/report');
      }
    });
  });

  describe('hostile headers and bodies', () => {
    it('a NUL in a header is a problem+json 400 (before: Fastify’s JSON); bad UTF-8 or junk in X-Purpose-Of-Use and X-Act-For-Facility a 422', async () => {
      for (const header of ['x-purpose-of-use', 'x-act-for-facility', 'x-request-id']) {
        const answer = await rawProbe(consent.base, 'GET', `/v1/consents/${consentId}`, { ...hA, [header]: `${A}\u0000` });
        expect(answer.status).toBe(400);
        expect(answer.contentType).toMatch(PROBLEM);
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'bad-request' });
      }
      const exchange = await serviceHeaders(issuer, 'exchange-service', `${ALL} lienthong/act-for`);
      for (const [name, value] of [
        ['x-purpose-of-use', Buffer.from([0x74, 0xff, 0xfe])],
        ['x-purpose-of-use', 'x'.repeat(8000)],
        ['x-act-for-facility', Buffer.from([0x37, 0x39, 0xff, 0x31, 0x31])],
        ['x-act-for-facility', `${A}, ${B}`],
        ['x-act-for-facility', '7'.repeat(5000)],
      ] as const) {
        const answer = await rawProbe(consent.base, 'POST', '/v1/consents', { ...exchange, ...json, [name]: value }, JSON.stringify(grantBody(patient)));
        expectRefusal(answer, 422, '/v1/consents');
      }
      // What the log kept of those purposes: "invalid", never the header.
      expect(consent.service.logs()).toContain('"purposeOfUse":"invalid"');
      expect(consent.service.logs()).not.toContain('x'.repeat(100));
    });

    it('NUL, bad UTF-8, lone surrogates, bidi overrides and prototype keys in bodies are refused with 400/422, writing nothing', async () => {
      const before = await withSql(consent.db.url, async (sql) => (await sql.query<{ n: string }>('SELECT count(*) AS n FROM consents')).rows[0]?.n);
      const evidence = grantBody(patient).evidence;
      const cases: [string, string | Buffer, number][] = [
        ['NUL in a string', JSON.stringify(grantBody(patient, { evidence: { ...evidence, recordedBy: 'NV\u00001' } })), 422],
        ['bad UTF-8', Buffer.concat([Buffer.from('{"enterprisePatientId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), 422],
        ['lone surrogate', JSON.stringify(grantBody(patient, { evidence: { ...evidence, recordedBy: 'NV-1' } })).replace('NV-1', 'NV\\ud800'), 422],
        ['raw NUL byte', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0]), Buffer.from('"}')]), 400],
        ['__proto__', `{"__proto__":{"admin":true},"enterprisePatientId":"${patient}"}`, 400],
      ];
      for (const [what, body, status] of cases) {
        const answer = await probe(consent.base, 'POST', '/v1/consents', { ...hA, ...json }, body as string);
        expect({ what, status: answer.status }).toEqual({ what, status });
        expect(answer.contentType).toMatch(PROBLEM);
      }
      // A reason that reads other than it is stored (U+202E): before the fix, 201.
      const bidi = await postJson(consent.base, '/v1/emergency-access', hA, { enterprisePatientId: patient, clinicianId: 'BS-1', reason: `Cấp cứu \u202e ${REASON}` });
      expect(bidi.status).toBe(422);
      expect(await bidi.json()).toMatchObject({ errors: [{ pointer: '#/reason', rule: 'bidi-control' }] });
      expect(await withSql(consent.db.url, async (sql) => (await sql.query<{ n: string }>('SELECT count(*) AS n FROM consents')).rows[0]?.n)).toBe(before);
    });

    it('too big, too deep, too many: 413 and 422 quickly; a batch of 1001 and arrays of 10,000 refused (10,000 purposes: before, 201 and stored)', async () => {
      const post = (path: string, body: string) => probe(consent.base, 'POST', path, { ...hA, ...json }, body);
      // A 2 MB body, declared: refused on its Content-Length before a byte of it is read. Fastify then closes the
      // connection (the client may still be sending), so the probe sends only the head: a client still writing the
      // body may see EPIPE instead of the answer, which is how the body-limit refusal works, not what is tested.
      expectRefusal(await rawProbe(consent.base, 'POST', '/v1/consents', { ...hA, ...json, 'content-length': String(2 * 1024 * 1024) }), 413, '/v1/consents');
      for (const body of ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)]) {
        const deep = await post('/v1/consents', body);
        expectRefusal(deep, 422, '/v1/consents');
        expect(deep.ms).toBeLessThan(5_000);
      }
      const batch = await post('/v1/decisions/batch', JSON.stringify({ queries: Array.from({ length: 1001 }, () => decisionFor(A)) }));
      expectRefusal(batch, 422, '/v1/decisions/batch');
      expect((await post('/v1/decisions/batch', JSON.stringify({ queries: Array.from({ length: 1000 }, () => decisionFor(A, randomUUID())) }))).status).toBe(200);

      const scope = grantBody(patient).scope;
      const many: [string, Record<string, unknown>, string][] = [
        ['10,000 grantees', { ...scope, grantees: Array.from({ length: 10_000 }, () => ({ kind: 'facilities', facilityCodes: [A] })) }, '#/scope/grantees'],
        ['a grantee of 10,000 facilities', { ...scope, grantees: [{ kind: 'facilities', facilityCodes: Array.from({ length: 10_000 }, (_, i) => String(10_000 + i)) }] }, '#/scope/grantees/0/facilityCodes'],
        ['10,000 purposes', { ...scope, purposes: Array.from({ length: 10_000 }, () => 'treatment') }, '#/scope/purposes'],
        ['10,000 categories', { ...scope, categories: Array.from({ length: 10_000 }, () => 'lab') }, '#/scope/categories'],
        ['a purpose twice', { ...scope, purposes: ['treatment', 'referral', 'treatment'] }, '#/scope/purposes/2'],
      ];
      for (const [what, tooMany, pointer] of many) {
        const answer = await post('/v1/consents', JSON.stringify({ ...grantBody(patient), scope: tooMany }));
        expect({ what, status: answer.status }).toEqual({ what, status: 422 });
        expect((JSON.parse(answer.body) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toContain(pointer);
      }
    });

    it('wrong content types: 415 (missing, XML, multipart, fhir+json on REST), text is not JSON (422), unknown methods 404', async () => {
      const body = JSON.stringify(decisionFor(A));
      for (const type of ['application/xml', 'multipart/form-data; boundary=x', 'application/fhir+json']) {
        expectRefusal(await probe(consent.base, 'POST', '/v1/decisions', { ...hA, 'content-type': type }, body), 415, '/v1/decisions');
      }
      expectRefusal(await rawProbe(consent.base, 'POST', '/v1/decisions', hA, body), 415, '/v1/decisions');
      expectRefusal(await probe(consent.base, 'POST', '/v1/decisions', { ...hA, 'content-type': 'text/plain' }, body), 422, '/v1/decisions');
      expectRefusal(await probe(consent.base, 'DELETE', `/v1/consents/${consentId}`, hA), 404, '/v1/consents');
      expectRefusal(await probe(consent.base, 'GET', `/fhir/Patient/${patient}`, hA), 404, '/fhir/Patient');
      expect(consent.service.logs()).not.toMatch(/"level":"error"[^\n]*"url":"\/(v1|fhir)/);
    });
  });

  describe('a database, then a cache, that accept connections and never answer', () => {
    let pgProxy: PausableProxy;
    let redisProxy: PausableProxy;
    let stalled: ServiceProcess;

    beforeAll(async () => {
      const db = new URL(consent.db.url);
      const redis = new URL(testInfra().redisUrl);
      pgProxy = await startPausableProxy(db.hostname, Number(db.port || 5432));
      redisProxy = await startPausableProxy(redis.hostname, Number(redis.port || 6379));
      stalled = await startConsentReplica(consent, { DATABASE_URL: pgProxy.url(consent.db.url), REDIS_URL: redisProxy.url(testInfra().redisUrl) });
      // A decision cached on the stalled replica's Redis before anything stalls.
      expect((await postJson(stalled.base, '/v1/decisions', hA, decisionFor(A))).status).toBe(200);
    });

    afterAll(async () => {
      stalled?.kill();
      await pgProxy?.close();
      await redisProxy?.close();
    });

    it('Postgres silent: every route answers 503 problem+json (or denies consent-unavailable) within the bounded waits, never hangs, never 500', async () => {
      pgProxy.pause();
      try {
        for (const route of routes()) {
          const answer = await send(stalled.base, route, hA);
          expect(answer.ms).toBeLessThan(10_000);
          if (route.path.startsWith('/v1/decisions')) {
            expect({ path: route.path, status: answer.status }).toEqual({ path: route.path, status: 200 });
            expect(answer.body).toContain('consent-unavailable');
            expect(answer.body).not.toContain('permit');
          } else {
            expectRefusal(answer, 503, route.path);
          }
        }
        expect((await probe(stalled.base, 'GET', '/health/ready', {})).status).toBe(503);
        for (const path of ['/health/live', '/metrics', '/fhir/metadata', '/docs-json']) expect((await probe(stalled.base, 'GET', path, {})).status).toBe(200);
      } finally {
        pgProxy.resume();
      }
      await expectEventually(async () => expect((await probe(stalled.base, 'GET', '/health/ready', {})).status).toBe(200), { timeoutMs: 30_000 });
      expect(stalled.logs()).not.toMatch(/"statusCode":500/);
    });

    it('Redis silent: decisions come from Postgres, right (a withdrawal seen at once), and writes go through', async () => {
      redisProxy.pause();
      try {
        const answer = await send(stalled.base, { method: 'POST', path: '/v1/decisions', body: decisionFor(A) }, hA);
        expect(answer.status).toBe(200);
        expect(answer.ms).toBeLessThan(3_000);
        const other = await seedPatient(consent.db.url, [A]);
        const granted = await recordConsent(stalled.base, hA, grantBody(other));
        expect(JSON.parse((await send(stalled.base, { method: 'POST', path: '/v1/decisions', body: decisionFor(A, other) }, hA)).body)).toMatchObject({ decision: 'permit' });
        const withdrawn = await probe(stalled.base, 'POST', `/v1/consents/${granted}/withdrawal`, { ...hA, ...json }, JSON.stringify({ evidence: grantBody(other).evidence }));
        expect(withdrawn.status).toBe(201);
        expect(withdrawn.ms).toBeLessThan(3_000);
        expect(JSON.parse((await send(stalled.base, { method: 'POST', path: '/v1/decisions', body: decisionFor(A, other) }, hA)).body)).toMatchObject({ decision: 'deny', reason: 'consent-withdrawn' });
        for (const route of routes().filter((r) => r.method === 'GET')) {
          const read = await send(stalled.base, route, hA);
          expect({ path: route.path, status: read.status }).toEqual({ path: route.path, status: 200 });
        }
        expect((await probe(stalled.base, 'GET', '/health/ready', {})).status).toBe(200);
      } finally {
        redisProxy.resume();
      }
    });
  });
});
