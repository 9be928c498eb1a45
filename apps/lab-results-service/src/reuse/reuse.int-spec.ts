import { decodeCloudEvent, type DecisionQuery, type LabResult, Topics } from '@lienthong/contracts';
import { provisionTopics, silentLogger } from '@lienthong/messaging';
import { applyMigrations } from '@lienthong/persistence';
import { createService } from '@lienthong/platform';
import { collectMessages, createTestDatabase, createTestIssuer, expectEventually, testInfra, testKafka, uniqueName, type TestDatabase, type TestTokenClaims } from '@lienthong/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { labResultsConfig } from '../config/lab-results.config';
import { LabResultsModule } from '../lab-results.module';
import { labResultsPersistenceOptions } from '../persistence/data-source';
import { labResult } from './testing/lab-result.factory';

/*
 * The reuse check over the service's own HTTP stack (auth, zod, problem+json) on the real Postgres and
 * Kafka: the module in-process, its relay publishing lab.reuse.v1. identity's lookups and consent's
 * decision point are a local HTTP stand-in IN THIS TEST ONLY (the referral e2e runs the real services):
 * it answers what the test sets and records what it was asked.
 */

const PROVINCIAL = '79001'; // lab level 3
const DISTRICT = '79101'; // lab level 3
const COMMUNE = '79102'; // lab level 1
const OTHER = '79002'; // lab level 3
const CCCD = '079190000001';
const SCOPE = 'system/Observation.rs';
const HOUR = 3_600_000;

interface Problem {
  status: number;
  code: string;
  reason?: string;
  errors?: { pointer?: string; field?: string; rule: string }[];
}

interface CheckView {
  checkId: string;
  enterprisePatientId: string;
  ruleSetVersion: string;
  tests: {
    testCode: string;
    outcome: string;
    reason: string | null;
    priceVnd: number | null;
    candidate: null | (Record<string, unknown> & { resultId: string; value?: unknown; lab?: unknown; validUntil: string });
    decision?: null | { decision: string };
  }[];
  summary: Record<string, number>;
}

/** identity's lookups and consent's batch decisions, answering from what the test sets. */
class StandIn {
  readonly lookups: { query: Record<string, string>; actFor: string | undefined; purpose: string | undefined; bearer: boolean }[] = [];
  readonly batches: DecisionQuery[][] = [];
  readonly patientsByCccd = new Map<string, string>();
  readonly patientsByLocalId = new Map<string, string>();
  /** `patient/category` pairs consent denies. */
  readonly denied = new Set<string>();
  identityDown = false;
  consentDown = false;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.answer(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async answer(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    let text = '';
    for await (const chunk of req) text += String(chunk);
    if (req.method === 'GET' && url.pathname === '/v1/patients') {
      if (this.identityDown) return { status: 503, body: { title: 'down' } };
      const query = Object.fromEntries(url.searchParams);
      this.lookups.push({ query, actFor: header(req, 'x-act-for-facility'), purpose: header(req, 'x-purpose-of-use'), bearer: /^Bearer .+/.test(header(req, 'authorization') ?? '') });
      const id = query['identifier']?.startsWith('cccd|') ? this.patientsByCccd.get(query['identifier'].slice(5)) : this.patientsByLocalId.get(`${query['facility']}/${query['localId']}`);
      return { status: 200, body: { items: id === undefined ? [] : [{ enterprisePatientId: id, status: 'active' }] } };
    }
    if (req.method === 'POST' && url.pathname === '/v1/decisions/batch') {
      if (this.consentDown) return { status: 503, body: { title: 'down' } };
      const { queries } = JSON.parse(text) as { queries: DecisionQuery[] };
      this.batches.push(queries);
      const decisions = queries.map((q) =>
        this.denied.has(`${q.enterprisePatientId}/${q.category}`)
          ? { decision: 'deny', reason: 'consent-withdrawn', basis: [], obligations: [] }
          : { decision: 'permit', reason: 'consent-granted', basis: [], obligations: [] },
      );
      return { status: 200, body: { decisions } };
    }
    return { status: 404, body: { title: 'not here' } };
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

describe('reuse checks (real Postgres and Kafka, over HTTP; identity and consent stood in)', () => {
  const issuer = createTestIssuer();
  const standIn = new StandIn();
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let sql: DataSource;
  let collector: Awaited<ReturnType<typeof collectMessages>>;

  const auth = async (claims: TestTokenClaims) => ({ authorization: `Bearer ${await issuer.sign(claims)}` });
  const facility = (code: string, scope = SCOPE) => auth({ facility: code, scope, sub: `his-${code}` });
  const post = async (url: string, headers: Record<string, string>, body: unknown) => app.inject({ method: 'POST', url, headers, payload: body as object });
  const get = async (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
  const count = async (table: string) => Number((await sql.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
  // The relay deletes what it published: "nothing reached the outbox" is read off its id sequence (never rolled back).
  const outboxInserts = async () => (await sql.query<{ n: string }[]>(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM outbox_id_seq`))[0]?.n;
  const eventsOf = (patient: string) =>
    collector.messages
      .map((m) => ({ key: m.message.key?.toString(), raw: m.message.value?.toString() ?? '', ...decodeCloudEvent({ headers: m.message.headers, value: m.message.value }) }))
      .filter((e) => e.key === patient);

  /** A patient identity announced, registered at the district (and wherever else given), found by CCCD. */
  async function patient(cccd = CCCD, links: string[] = [DISTRICT]): Promise<string> {
    const id = randomUUID();
    await sql.query(`INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES ($1, NULL, now())`, [id]);
    for (const code of links) await sql.query(`INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) VALUES ($1, $2, $3)`, [code, `BN-${id.slice(0, 8)}`, id]);
    standIn.patientsByCccd.set(cccd, id);
    return id;
  }

  /** A result line as the ingest stores it (lab_results: the latest version, the canonical result in `result`). */
  async function stored(result: LabResult): Promise<LabResult> {
    await sql.query(
      `INSERT INTO lab_results (result_id, facility_code, ma_lk, line_key, enterprise_patient_id, catalogue_code, version, status, collected_at, performed_at, result_at,
         qualitative, content_hash, result, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())`,
      [
        result.resultId,
        result.performingFacility,
        result.source.visitKey,
        result.source.lineKey,
        result.enterprisePatientId,
        result.test.catalogueCode,
        result.version,
        result.status,
        result.collectedAt,
        result.performedAt,
        result.resultAt,
        result.value?.kind === 'coded' ? result.value.code : null,
        createHash('sha256').update(JSON.stringify(result)).digest('hex'),
        JSON.stringify(result),
      ],
    );
    return result;
  }
  const glucose = (patientId: string, overrides: Partial<LabResult> = {}) => labResult({ enterprisePatientId: patientId, performingFacility: DISTRICT, source: { format: 'xml130', visitKey: `LK-${randomUUID().slice(0, 8)}`, lineKey: '23.0075.1494/2300751' }, ...overrides });
  const creatinine = (patientId: string, overrides: Partial<LabResult> = {}) =>
    labResult({
      enterprisePatientId: patientId,
      performingFacility: DISTRICT,
      source: { format: 'xml130', visitKey: `LK-${randomUUID().slice(0, 8)}`, lineKey: '23.0051.1494/2300511' },
      value: { kind: 'quantity', value: 78, comparator: null },
      unit: { original: 'µmol/L', ucum: 'umol/L' },
      ...overrides,
      test: { catalogueCode: 'CREA', mohIndicatorCode: '2300511', serviceCode: '23.0051.1494', name: 'Creatinin', loinc: '14682-9' },
    });

  beforeAll(async () => {
    const standInUrl = await standIn.start();
    db = await createTestDatabase('lab_reuse');
    const keyFile = join(mkdtempSync(join(tmpdir(), 'lab-reuse-key-')), 'private.pem');
    writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      KAFKA_CLIENT_ID: uniqueName('lab-reuse-int'),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      REDIS_URL: testInfra().redisUrl,
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      LAB_IDENTITY_URL: standInUrl,
      LAB_CONSENT_URL: standInUrl,
      LAB_SERVICE_TOKEN_KEY_FILE: keyFile,
      LAB_CONSUMER_GROUP: uniqueName('lab-reuse-int'),
      LOG_LEVEL: 'silent',
    };
    await applyMigrations(labResultsPersistenceOptions(labResultsConfig.load(env)));
    await provisionTopics(testKafka('lab-reuse-int'), [Topics.labReuseV1], { logger: silentLogger, replicationFactor: 1 });
    collector = await collectMessages([Topics.labReuseV1.name], uniqueName('lab-reuse-reader'), { fromNow: true });
    ({ app } = await createService(LabResultsModule, { config: labResultsConfig, env, logDestination: { write: () => undefined } }));
    await app.getHttpAdapter().getInstance().ready();
    sql = app.get(DataSource);
    await sql.query(
      `INSERT INTO facilities (code, level, province_code, lab_quality_level, iso15189_scope, sensitive, version) VALUES
         ('${PROVINCIAL}', 'specialised', '79', '3', '{}', false, 1), ('${DISTRICT}', 'basic', '79', '3', '{}', false, 1),
         ('${COMMUNE}', 'initial', '79', '1', '{GLU}', false, 1), ('${OTHER}', 'specialised', '79', '3', '{}', false, 1)`,
    );
  });

  afterAll(async () => {
    await app?.close();
    await collector?.stop();
    await db?.drop();
    await standIn.stop();
  });

  it('has a schema identical to the entities (generating a migration yields nothing)', async () => {
    const log = await sql.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('a referral check by CCCD at the provincial hospital: candidates with their results and labs, repeats with reasons; one lookup as the requester, one consent batch; the check stored without values; lab.reuse.v1 carries no value; audited', async () => {
    const patientId = await patient();
    await sql.query(`INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id) VALUES ($1, 'BV-0001', $2)`, [PROVINCIAL, patientId]);
    const glu = await stored(glucose(patientId));
    await stored(creatinine(patientId, { performedAt: new Date(Date.now() - 8 * 24 * HOUR).toISOString() }));
    const commune = await stored(creatinine(patientId, { performingFacility: COMMUNE, performedAt: new Date(Date.now() - 2 * HOUR).toISOString() }));
    const lookupsBefore = standIn.lookups.length;
    const batchesBefore = standIn.batches.length;

    const response = await post('/v1/reuse-checks', await facility(PROVINCIAL), { patient: { cccd: CCCD }, purpose: 'referral', testCodes: ['GLU', '2300511', 'HBA1C'] });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const check = response.json<CheckView>();
    expect(response.headers['location']).toBe(`/v1/reuse-checks/${check.checkId}`);
    expect(check).toMatchObject({ enterprisePatientId: patientId, ruleSetVersion: '2026-08-draft' });
    expect(check.tests.map((t) => [t.testCode, t.outcome, t.reason, t.priceVnd])).toEqual([
      ['GLU', 'REUSE_CANDIDATE', null, 21_500],
      ['CREA', 'REPEAT_REQUIRED', 'expired', 21_500],
      ['HBA1C', 'REPEAT_REQUIRED', 'no-prior-result', 101_000],
    ]);
    expect(check.tests[0]?.candidate).toMatchObject({
      resultId: glu.resultId,
      value: { kind: 'quantity', value: 5.6 },
      unit: { original: 'mmol/l', ucum: 'mmol/L' },
      performingFacility: DISTRICT,
      lab: { facilityCode: DISTRICT, labQualityLevel: '3', iso15189Accredited: false },
      performedAt: glu.performedAt,
      performedAtSource: 'xml3.NGAY_TH_YL',
      collectedAt: null,
      windowFrom: 'performedAt',
      validUntil: new Date(Date.parse(glu.performedAt ?? '') + 24 * HOUR).toISOString(),
      missingFields: ['collectedAt', 'referenceRange', 'abnormalFlag', 'performingLab'],
    });
    expect(check.summary).toEqual({ tests: 3, reuseCandidates: 1, repeatRequired: 2, priceVndAvoidable: 21_500 });
    // The commune lab (level 1) is below the provincial requester for creatinine: expired is the nearer reason.
    expect(JSON.stringify(check)).not.toContain(commune.resultId);

    expect(standIn.lookups.slice(lookupsBefore)).toEqual([{ query: { identifier: `cccd|${CCCD}` }, actFor: PROVINCIAL, purpose: 'referral', bearer: true }]);
    expect(standIn.batches.slice(batchesBefore)).toEqual([[{ enterprisePatientId: patientId, facilityCode: PROVINCIAL, category: 'lab', purpose: 'referral' }]]);

    const read = await get(`/v1/reuse-checks/${check.checkId}`, await facility(PROVINCIAL));
    expect(read.statusCode).toBe(200);
    const asStored = read.json<CheckView>();
    expect(asStored.tests[0]?.candidate).toEqual({ resultId: glu.resultId, version: 1, performingFacility: DISTRICT, validUntil: check.tests[0]?.candidate?.validUntil, windowFrom: 'performedAt' });
    expect(JSON.stringify(asStored)).not.toMatch(/5\.6|mmol/);

    await expectEventually(() => expect(eventsOf(patientId).map((e) => e.type)).toEqual(['vn.lienthong.lab.reuse.checked']));
    const [event] = eventsOf(patientId);
    expect(event?.data).toMatchObject({
      checkId: check.checkId,
      requestingFacility: PROVINCIAL,
      purpose: 'referral',
      ruleSetVersion: '2026-08-draft',
      tests: [
        { testCode: 'GLU', outcome: 'REUSE_CANDIDATE', reason: null, candidate: { resultId: glu.resultId, version: 1, performingFacility: DISTRICT }, priceVnd: 21_500 },
        { testCode: 'CREA', outcome: 'REPEAT_REQUIRED', reason: 'expired', candidate: null },
        { testCode: 'HBA1C', outcome: 'REPEAT_REQUIRED', reason: 'no-prior-result', candidate: null },
      ],
    });
    expect(event?.raw).not.toMatch(/5\.6|mmol|Glucose|Creatinin|079190000001/);

    const audit = await sql.query<{ action: string; outcome: string; facility_code: string; purpose_of_use: string; detail: unknown }[]>(
      `SELECT action, outcome, facility_code, purpose_of_use, detail FROM audit_log WHERE patient_id = $1 ORDER BY id`,
      [patientId],
    );
    expect(audit.map((a) => [a.action, a.outcome, a.facility_code, a.purpose_of_use])).toEqual([
      ['reuse-check.run', 'ok', PROVINCIAL, 'referral'],
      ['reuse-check.read', 'ok', PROVINCIAL, 'treatment'],
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/079190000001|5\.6|mmol/);
  });

  it('the doctor’s decisions: a reuse (price avoided), a re-test with its reason, once per test; lab.reuse.v1 decided events; only the facility that ran the check may read or decide (another gets 404, audited as denied)', async () => {
    const patientId = await patient('079190000011');
    const glu = await stored(glucose(patientId));
    const check = (await post('/v1/reuse-checks', await facility(PROVINCIAL), { patient: { enterprisePatientId: patientId }, testCodes: ['GLU', 'HBA1C'] })).json<CheckView>();
    const decisions = `/v1/reuse-checks/${check.checkId}/decisions`;
    const own = await facility(PROVINCIAL);

    const reused = await post(decisions, own, { testCode: 'GLU', decision: 'reused' });
    expect(reused.statusCode).toBe(201);
    expect(reused.json()).toMatchObject({ checkId: check.checkId, testCode: 'GLU', decision: 'reused', retestReason: null, resultId: glu.resultId, priceAvoidedVnd: 21_500, ruleSetVersion: '2026-08-draft' });
    expect((await post(decisions, own, { testCode: 'GLU', decision: 'retested', retestReason: 'other' })).statusCode).toBe(409);

    const notACandidate = await post(decisions, own, { testCode: 'HBA1C', decision: 'reused' });
    expect(notACandidate.statusCode).toBe(422);
    expect(notACandidate.json<Problem>().errors).toEqual([expect.objectContaining({ pointer: '#/decision', rule: 'no-candidate' })]);
    expect((await post(decisions, own, { testCode: 'HBA1C', decision: 'retested' })).json()).toMatchObject({ retestReason: 'no-candidate', priceAvoidedVnd: 0 });

    const other = await facility(OTHER);
    const foreignRead = await get(`/v1/reuse-checks/${check.checkId}`, other);
    expect(foreignRead.statusCode).toBe(404);
    expect(foreignRead.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await post(decisions, other, { testCode: 'GLU', decision: 'reused' })).statusCode).toBe(404);
    expect((await get(`/v1/reuse-checks/${randomUUID()}`, own)).statusCode).toBe(404);

    const read = (await get(`/v1/reuse-checks/${check.checkId}`, own)).json<CheckView>();
    expect(read.tests.map((t) => [t.testCode, t.decision?.decision])).toEqual([
      ['GLU', 'reused'],
      ['HBA1C', 'retested'],
    ]);
    expect(read.summary).toMatchObject({ decided: 2, priceVndAvoided: 21_500 });

    await expectEventually(() =>
      expect(eventsOf(patientId).map((e) => [e.type, (e.data as { testCode?: string }).testCode ?? null, (e.data as { priceAvoidedVnd?: number }).priceAvoidedVnd ?? null])).toEqual([
        ['vn.lienthong.lab.reuse.checked', null, null],
        ['vn.lienthong.lab.reuse.decided', 'GLU', 21_500],
        ['vn.lienthong.lab.reuse.decided', 'HBA1C', 0],
      ]),
    );
    expect(eventsOf(patientId).every((e) => e.key === patientId && !/5\.6|mmol/.test(e.raw))).toBe(true);
    expect(await count(`reuse_decisions WHERE check_id = '${check.checkId}'`)).toBe(2);
  });

  it('refuses bad input with 422 naming the field, writing nothing', async () => {
    const own = await facility(PROVINCIAL);
    const checksBefore = await count('reuse_checks');
    const outboxBefore = await outboxInserts();
    const cases: [unknown, string][] = [
      [{ patient: { cccd: CCCD } }, '#/testCodes'],
      [{ patient: { cccd: CCCD }, testCodes: [] }, '#/testCodes'],
      [{ patient: { cccd: CCCD }, testCodes: Array.from({ length: 51 }, (_, i) => `T${i}`) }, '#/testCodes'],
      [{ patient: { cccd: CCCD, enterprisePatientId: randomUUID() }, testCodes: ['GLU'] }, '#/patient'],
      [{ patient: {}, testCodes: ['GLU'] }, '#/patient'],
      [{ patient: { cccd: '999190000001' }, testCodes: ['GLU'] }, '#/patient/cccd'],
      [{ patient: { cccd: '0791900' }, testCodes: ['GLU'] }, '#/patient/cccd'],
      [{ patient: { enterprisePatientId: 'not-a-uuid' }, testCodes: ['GLU'] }, '#/patient/enterprisePatientId'],
      [{ patient: { cccd: CCCD }, testCodes: ['GLU'], purpose: 'research-deidentified' }, '#/purpose'],
      [{ patient: { cccd: CCCD }, testCodes: ['GLU'], at: '2026-11-20T09:00:00' }, '#/at'],
      [{ patient: { cccd: CCCD }, testCodes: ['GLU'], requestingFacility: OTHER }, '#'],
      [{ patient: { cccd: '079190000099' }, testCodes: ['GLU'] }, '#/patient'],
      [{ patient: { enterprisePatientId: randomUUID() }, testCodes: ['GLU'] }, '#/patient/enterprisePatientId'],
      [{ patient: { cccd: CCCD }, testCodes: ['GLU'], at: '2026-07-01T00:00:00+07:00' }, '#/at'],
      [{ patient: { facility: OTHER, localId: 'BN-1' }, testCodes: ['GLU'] }, '#/patient/facility'],
    ];
    for (const [body, pointer] of cases) {
      const response = await post('/v1/reuse-checks', own, body);
      expect([JSON.stringify(body), response.statusCode, response.headers['content-type']]).toEqual([JSON.stringify(body), 422, expect.stringMatching(/^application\/problem\+json/)]);
      expect([JSON.stringify(body), response.json<Problem>().errors?.map((e) => e.pointer)]).toEqual([JSON.stringify(body), expect.arrayContaining([pointer])]);
    }
    const badId = await get('/v1/reuse-checks/not-a-uuid', own);
    expect([badId.statusCode, badId.json<Problem>().errors?.map((e) => e.field)]).toEqual([422, ['checkId']]);
    const badDecision = await post(`/v1/reuse-checks/${randomUUID()}/decisions`, own, { testCode: 'GLU', decision: 'maybe' });
    expect([badDecision.statusCode, badDecision.json<Problem>().errors?.map((e) => e.pointer)]).toEqual([422, ['#/decision']]);
    expect([await count('reuse_checks'), await outboxInserts()]).toEqual([checksBefore, outboxBefore]);
  });

  it('refuses a referral without the requester’s own link (403), a caller without the scope or without a facility (403)', async () => {
    const patientId = await patient('079190000021');
    const referral = await post('/v1/reuse-checks', await facility(PROVINCIAL), { patient: { enterprisePatientId: patientId }, purpose: 'referral', testCodes: ['GLU'] });
    expect(referral.statusCode).toBe(403);
    expect(referral.json<Problem>().reason).toBe('no-care-relationship');
    const body = { patient: { enterprisePatientId: patientId }, testCodes: ['GLU'] };
    expect((await post('/v1/reuse-checks', await facility(PROVINCIAL, 'system/Patient.rs'), body)).statusCode).toBe(403);
    const person = await post('/v1/reuse-checks', await auth({ role: 'ministry-analyst', scope: SCOPE }), body);
    expect([person.statusCode, person.json<Problem>().reason]).toEqual([403, 'facility-required']);
    // A service acting for the facility is the facility.
    const service = await post('/v1/reuse-checks', { ...(await auth({ service: 'exchange-service', scope: `${SCOPE} lienthong/act-for` })), 'x-act-for-facility': PROVINCIAL }, body);
    expect(service.statusCode).toBe(201);
  });

  it('consent withdrawn → consent-denied; the decision point down → consent-denied too (fails closed); identity down → 503, nothing recorded', async () => {
    const patientId = await patient('079190000031');
    await stored(glucose(patientId));
    const own = await facility(PROVINCIAL);
    const body = { patient: { enterprisePatientId: patientId }, testCodes: ['GLU'] };
    expect((await post('/v1/reuse-checks', own, body)).json<CheckView>().tests[0]).toMatchObject({ outcome: 'REUSE_CANDIDATE' });

    standIn.denied.add(`${patientId}/lab`);
    const denied = (await post('/v1/reuse-checks', own, body)).json<CheckView>();
    expect(denied.tests.map((t) => [t.outcome, t.reason, t.candidate])).toEqual([['REPEAT_REQUIRED', 'consent-denied', null]]);
    standIn.denied.delete(`${patientId}/lab`);

    standIn.consentDown = true;
    try {
      const down = await post('/v1/reuse-checks', own, body);
      expect(down.statusCode).toBe(201);
      expect(down.json<CheckView>().tests.map((t) => t.reason)).toEqual(['consent-denied']);
    } finally {
      standIn.consentDown = false;
    }

    standIn.identityDown = true;
    const checksBefore = await count('reuse_checks');
    try {
      const response = await post('/v1/reuse-checks', own, { patient: { cccd: '079190000031' }, testCodes: ['GLU'] });
      expect([response.statusCode, response.json<Problem>().reason]).toEqual([503, 'dependency-unavailable']);
    } finally {
      standIn.identityDown = false;
    }
    expect(await count('reuse_checks')).toBe(checksBefore);
  });

  it('lists the rule-set versions with their effective dates, and serves each catalogue', async () => {
    const list = await get('/v1/rule-sets', await facility(OTHER, 'system/Patient.rs'));
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      items: [
        { version: '2026-08-draft', effectiveFrom: '2026-08-01T00:00:00+07:00', effectiveUntil: '2027-01-01T00:00:00+07:00', tests: 28, inEffect: Date.now() < Date.parse('2027-01-01T00:00:00+07:00') },
        { version: '2027-01-circular-placeholder', effectiveFrom: '2027-01-01T00:00:00+07:00', effectiveUntil: null, tests: 28, inEffect: Date.now() >= Date.parse('2027-01-01T00:00:00+07:00') },
      ],
    });
    const draft = await get('/v1/rule-sets/2026-08-draft', await facility(OTHER, 'system/Patient.rs'));
    expect(draft.json<{ tests: { code: string; consentCategory: string }[] }>().tests.find((t) => t.code === 'HIV')).toMatchObject({ consentCategory: 'hiv', loinc: '80387-4' });
    expect((await get('/v1/rule-sets/1999-draft', await facility(OTHER))).statusCode).toBe(404);
  });
});
