import { decodeCloudEvent, type LabResult, Topics } from '@lienthong/contracts';
import { provisionTopics, silentLogger } from '@lienthong/messaging';
import { applyMigrations } from '@lienthong/persistence';
import { createService, JwtVerifier } from '@lienthong/platform';
import { collectMessages, createTestDatabase, expectEventually, testInfra, testKafka, uniqueName, type TestDatabase } from '@lienthong/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { labResultsConfig } from '../config/lab-results.config';
import { LabResultsModule } from '../lab-results.module';
import { labResultsPersistenceOptions } from '../persistence/data-source';
import { labVisit, PATIENTS, syntheticPatient, xml130File, xml1 } from './testing/xml130-visits';

/*
 * The ingest over the service's own HTTP stack (auth, the streaming XML body, problem+json) on the real
 * Postgres and Kafka: the module in-process, its relay publishing to lab.result.v1, its retry worker
 * running. identity-service is replaced HERE ONLY by a small HTTP server the spec controls (answer,
 * fail, hang, refuse); the e2e spec runs the real one.
 */

const DONG_DA = '01903';
const FIXTURES = join(__dirname, '../../test/fixtures/xml130');
const PERFORMED = new Date('2026-11-20T01:15:00Z');
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

type IdentityMode = 'answer' | 'fail' | 'hang' | 'refuse';

/** The enterprise id the fake identity gives a person: a UUID from their first identifier. */
function enterpriseIdOf(body: { identifiers?: { value: string }[]; localId: string }): string {
  const hex = createHash('sha256').update(body.identifiers?.[0]?.value ?? body.localId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** identity-service's register-or-link as the spec wants it to behave. */
async function startFakeIdentity() {
  const state = { mode: 'answer' as IdentityMode, requests: [] as { headers: IncomingHttpHeaders; body: Record<string, unknown> }[], hanging: [] as ServerResponse[] };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as { identifiers?: { value: string }[]; localId: string };
      state.requests.push({ headers: req.headers, body });
      const send = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      switch (state.mode) {
        case 'answer':
          return send(200, { enterprisePatientId: enterpriseIdOf(body), outcome: 'linked', warnings: [] });
        case 'fail':
          return send(503, { status: 503, code: 'service-unavailable' });
        case 'hang':
          state.hanging.push(res);
          return;
        case 'refuse':
          return send(422, { status: 422, code: 'validation-error', detail: 'the registration is invalid', errors: [{ pointer: '#/identifiers/0/value', rule: 'cccd.checksum', message: 'not a valid CCCD' }] });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    state,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const res of state.hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('XML 130 ingest (real Postgres and Kafka, over HTTP; identity faked)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = join(mkdtempSync(join(tmpdir(), 'lab-ingest-int-')), 'private.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let sql: DataSource;
  let identity: Awaited<ReturnType<typeof startFakeIdentity>>;
  let collector: Awaited<ReturnType<typeof collectMessages>>;
  let signFacilityToken: (facility: string, scope: string) => Promise<string>;

  const auth = async (facility = DONG_DA, scope = 'system/Observation.c system/Observation.rs') => ({ authorization: `Bearer ${await signFacilityToken(facility, scope)}` });
  const upload = async (file: string | Buffer, headers?: Record<string, string>, contentType = 'application/xml') =>
    app.inject({ method: 'POST', url: '/v1/xml130', headers: { ...(headers ?? (await auth())), 'content-type': contentType }, payload: file });
  const submit = async (file: string | Buffer) => {
    const response = await upload(file);
    expect(response.statusCode).toBe(200);
    return response.json<{ submissionId: string; visits: { index: number; maLk: string; outcome: string; results: Record<string, number>; errors: { pointer: string; rule: string; severity: string }[] }[] }>();
  };
  const submission = async (id: string) => {
    const response = await app.inject({ method: 'GET', url: `/v1/submissions/${id}`, headers: await auth() });
    expect(response.statusCode).toBe(200);
    return response.json<{ visits: { outcome: string; results: Record<string, number> }[] }>();
  };
  const rows = <T>(query: string, params: unknown[] = []) => sql.query<T[]>(query, params);
  // The relay deletes what it has published: what reached the outbox is read off its id sequence.
  const outboxInserts = async () => Number((await rows<{ n: string }>(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM outbox_id_seq`))[0]?.n);
  // The shared topic holds every earlier run's events (benchmarks' too): each message is decoded once, as it arrives.
  const decoded: { key: string | undefined; type: string; data: LabResult }[] = [];
  const eventsOf = (resultIds: readonly string[]) => {
    for (const m of collector.messages.slice(decoded.length)) {
      const event = decodeCloudEvent({ headers: m.message.headers, value: m.message.value });
      decoded.push({ key: m.message.key?.toString(), type: event.type, data: event.data as LabResult });
    }
    return decoded.filter((e) => resultIds.includes(e.data.resultId));
  };
  const resultIdsOf = async (maLk: string) => (await rows<{ result_id: string }>(`SELECT result_id FROM lab_results WHERE ma_lk = $1 ORDER BY line_key`, [maLk])).map((r) => r.result_id);

  beforeAll(async () => {
    const { SignJWT } = await import('jose');
    signFacilityToken = (facility, scope) =>
      new SignJWT({ facility, scope })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('https://issuer.lab-int.test')
        .setAudience('lienthong')
        .setSubject(`his-${facility}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    identity = await startFakeIdentity();
    db = await createTestDatabase('lab_ingest');
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      KAFKA_CLIENT_ID: uniqueName('lab-ingest-int'),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      REDIS_URL: testInfra().redisUrl,
      AUTH_PUBLIC_KEY: publicKeyPem,
      AUTH_ISSUER: 'https://issuer.lab-int.test',
      AUTH_AUDIENCE: 'lienthong',
      LAB_CONSUMER_GROUP: uniqueName('lab-ingest-int'),
      LAB_IDENTITY_URL: identity.url,
      LAB_SERVICE_TOKEN_KEY_FILE: keyFile,
      LAB_CALL_TIMEOUT_MS: '500',
      LAB_PENDING_RETRY_MS: '200',
      LAB_MAX_UPLOAD_BYTES: String(2 * 1024 * 1024),
      LAB_DEMOGRAPHICS_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
    };
    await applyMigrations(labResultsPersistenceOptions(labResultsConfig.load(env)));
    await provisionTopics(testKafka('lab-ingest-int'), [Topics.labResultV1], { logger: silentLogger, replicationFactor: 1 });
    collector = await collectMessages([Topics.labResultV1.name], uniqueName('lab-ingest-int-reader'), { fromNow: true });
    ({ app } = await createService(LabResultsModule, { config: labResultsConfig, env, logDestination: { write: () => undefined } }));
    await app.getHttpAdapter().getInstance().ready();
    sql = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await collector?.stop();
    await identity?.close();
    await db?.drop();
  });

  beforeEach(() => {
    identity.state.mode = 'answer';
  });

  it('has a schema identical to the entities (generating a migration yields nothing)', async () => {
    const log = await sql.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('a batch with bad visits among good ones: each visit’s outcome, the good ones stored and announced, the bad ones rejected with pointers and not stored', async () => {
    const answer = await submit(readFileSync(join(FIXTURES, 'mixed-batch.xml')));

    expect(answer.visits.map((v) => [v.index, v.maLk, v.outcome])).toEqual([
      [0, 'DD.261120.0001', 'stored'],
      [1, 'DD.261120.0002', 'rejected'],
      [2, 'DD.261120.0003', 'rejected'],
      [3, 'DD.261120.0004', 'rejected'],
      [4, 'DD.261120.0005', 'stored'],
    ]);
    const errorsOf = (i: number) => answer.visits[i]?.errors.filter((e) => e.severity === 'error').map((e) => [e.pointer, e.rule]);
    expect(errorsOf(1)).toEqual([['#/visits/1/xml4', 'base64']]);
    expect(errorsOf(2)).toEqual([['#/visits/2/xml4/0/NGAY_KQ', 'impossible-date']]);
    expect(errorsOf(3)).toEqual([['#/visits/3/xml1/SO_CCCD', 'cccd-province-code']]);
    expect(answer.visits[4]?.errors.map((e) => [e.pointer, e.rule, e.severity])).toEqual([
      ['#/visits/4/xml4/0/NGAY_KQ', 'required', 'warning'],
      ['#/visits/4/xml4/1/MA_CHI_SO', 'unknown-test', 'warning'],
    ]);
    expect(answer.visits[0]?.results).toEqual({ new: 5, amended: 0, cancelled: 0, unchanged: 0 });

    // Only the good visits reached the tables; identity was asked for them only, as lab-results-service acting for Đống Đa.
    expect(await rows(`SELECT ma_lk, status FROM visits ORDER BY ma_lk`)).toEqual([
      { ma_lk: 'DD.261120.0001', status: 'resolved' },
      { ma_lk: 'DD.261120.0005', status: 'resolved' },
    ]);
    expect(await rows(`SELECT ma_lk, count(*)::int AS n FROM lab_results GROUP BY ma_lk ORDER BY ma_lk`)).toEqual([
      { ma_lk: 'DD.261120.0001', n: 5 },
      { ma_lk: 'DD.261120.0005', n: 4 },
    ]);
    expect(identity.state.requests).toHaveLength(2);
    // The visits of a file are worked on together: identity hears of them in any order.
    const call = identity.state.requests.find((r) => r.body['localId'] === PATIENTS.ha.maBn);
    expect(call?.headers['x-act-for-facility']).toBe(DONG_DA);
    const token = await new JwtVerifier({ publicKey: publicKeyPem, issuer: 'https://issuer.lab-int.test', audience: 'lienthong' }).verify(String(call?.headers.authorization).replace('Bearer ', ''));
    expect(token.principal).toEqual({ kind: 'service', service: 'lab-results-service' });
    expect(token.scopes).toEqual(expect.arrayContaining(['system/Patient.cu', 'lienthong/act-for']));
    expect(call?.body).toMatchObject({ localId: PATIENTS.ha.maBn, fullName: PATIENTS.ha.hoTen, birthDate: '1985-03-14', sex: 2, identifiers: [{ system: 'cccd', value: PATIENTS.ha.cccd }] });

    // The canonical results, as stored and as announced on lab.result.v1 (keyed by the enterprise patient id).
    const patient = enterpriseIdOf({ identifiers: [{ value: PATIENTS.ha.cccd }], localId: '' });
    const first = await resultIdsOf('DD.261120.0001');
    const events = await expectEventually(() => {
      const seen = eventsOf(first);
      expect(seen).toHaveLength(5);
      return seen;
    }, WAIT);
    expect(new Set(events.map((e) => [e.type, e.key].join(' ')))).toEqual(new Set([`vn.lienthong.lab.result.finalized ${patient}`]));
    const glucose = events.find((e) => e.data.test.catalogueCode === 'GLU')?.data;
    expect(glucose).toMatchObject({
      version: 1,
      status: 'final',
      enterprisePatientId: patient,
      performingFacility: DONG_DA,
      value: { kind: 'quantity', value: 5.6, comparator: null },
      unit: { original: 'mmol/l', ucum: 'mmol/L' },
      performedAt: PERFORMED.toISOString(),
      performedAtSource: 'xml3.NGAY_TH_YL',
      collectedAt: null,
      priceVnd: 45000,
    });
    expect(events.find((e) => e.data.test.catalogueCode === 'WBC')?.data.unit).toEqual({ original: 'G/L', ucum: '10*9/L' });
    expect(events.find((e) => e.data.test.catalogueCode === 'HBSAG')?.data.value).toEqual({ kind: 'coded', code: 'negative', text: 'Âm tính' });
    expect(collector.messages.filter((m) => m.message.value?.includes(PATIENTS.ha.cccd) === true)).toEqual([]);

    // Visit 4: "mmol/L" as "mmol/l" is, no result time, an unknown test stored but never reusable.
    const fifth = await rows<{ catalogue_code: string | null; result: LabResult }>(`SELECT catalogue_code, result FROM lab_results WHERE ma_lk = 'DD.261120.0005' ORDER BY line_key`);
    const byName = new Map(fifth.map((r) => [r.result.test.name, r]));
    expect(byName.get('Glucose máu')?.result).toMatchObject({ unit: { original: 'mmol/L', ucum: 'mmol/L' }, resultAt: null, value: { value: 6.1 } });
    expect(byName.get('Glucose máu')?.result.missingFields).toContain('resultAt');
    expect(byName.get('Chỉ số lạ')).toMatchObject({ catalogue_code: null, result: { test: { catalogueCode: null, mohIndicatorCode: '9999999' } } });

    // Audited per visit (the bad ones too), with nothing identifying in the rows.
    const audit = await rows<{ outcome: string; patient_id: string | null; facility_code: string; detail: unknown }>(
      `SELECT outcome, patient_id, facility_code, detail FROM audit_log WHERE action = 'lab-result.ingest' ORDER BY id`,
    );
    expect(audit.map((a) => a.outcome).sort()).toEqual(['accepted', 'accepted', 'rejected', 'rejected', 'rejected', 'stored', 'stored'].sort());
    expect(audit.find((a) => a.outcome === 'stored' && a.patient_id === patient)).toMatchObject({ facility_code: DONG_DA });
    expect(JSON.stringify(audit)).not.toMatch(new RegExp(`${PATIENTS.ha.cccd}|${PATIENTS.ha.hoTen}|5,6|5\\.6`));
    // Resolved visits keep no demographics at rest.
    expect(await rows(`SELECT count(*)::int AS n FROM visits WHERE demographics IS NOT NULL`)).toEqual([{ n: 0 }]);
  });

  it('the same file again changes nothing; a corrected value is a new version (amended), a withdrawn line cancelled', async () => {
    const file = readFileSync(join(FIXTURES, 'mixed-batch.xml'));
    const before = { outbox: await outboxInserts(), versions: await rows(`SELECT count(*)::int AS n FROM lab_result_versions`), identityCalls: identity.state.requests.length };
    const again = await submit(file);
    expect(again.visits.map((v) => v.outcome)).toEqual(['unchanged', 'rejected', 'rejected', 'rejected', 'unchanged']);
    expect({ outbox: await outboxInserts(), versions: await rows(`SELECT count(*)::int AS n FROM lab_result_versions`), identityCalls: identity.state.requests.length }).toEqual(before);

    const corrected = await submit(readFileSync(join(FIXTURES, 'mixed-batch-corrected.xml')));
    expect(corrected.visits.map((v) => [v.maLk, v.outcome, v.results])).toEqual([
      ['DD.261120.0001', 'stored', { new: 0, amended: 1, cancelled: 1, unchanged: 3 }],
      ['DD.261120.0005', 'unchanged', { new: 0, amended: 0, cancelled: 0, unchanged: 4 }],
    ]);
    const ids = await resultIdsOf('DD.261120.0001');
    const changes = await expectEventually(() => {
      const seen = eventsOf(ids).filter((e) => e.type !== 'vn.lienthong.lab.result.finalized');
      expect(seen).toHaveLength(2);
      return seen;
    }, WAIT);
    expect(changes.map((e) => [e.type, e.data.test.catalogueCode, e.data.version, e.data.status]).sort()).toEqual([
      ['vn.lienthong.lab.result.amended', 'GLU', 2, 'amended'],
      ['vn.lienthong.lab.result.cancelled', 'HBSAG', 2, 'cancelled'],
    ]);
    expect(changes.find((e) => e.data.status === 'amended')?.data.value).toEqual({ kind: 'quantity', value: 6.1, comparator: null });
    // Every version is kept; the current one is the latest.
    expect(await rows(`SELECT r.status, r.version, (SELECT count(*)::int FROM lab_result_versions v WHERE v.result_id = r.result_id) AS versions
                         FROM lab_results r WHERE r.ma_lk = 'DD.261120.0001' AND r.catalogue_code IN ('GLU', 'HBSAG') ORDER BY r.catalogue_code`)).toEqual([
      { status: 'amended', version: 2, versions: 2 },
      { status: 'cancelled', version: 2, versions: 2 },
    ]);
  });

  it('identity down: the visit waits with its CCCD encrypted at rest, then is stored and announced once identity answers again', async () => {
    identity.state.mode = 'fail';
    const patient = syntheticPatient(101);
    const answer = await submit(xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.261121.0101', patient, PERFORMED)]));
    expect(answer.visits[0]).toMatchObject({ outcome: 'pending-patient', results: { new: 0 } });
    expect((await submission(answer.submissionId)).visits[0]?.outcome).toBe('pending-patient');

    const [waiting] = await rows<{ demographics: Buffer; lines: unknown }>(`SELECT demographics, lines FROM visits WHERE ma_lk = 'DD.261121.0101'`);
    expect(waiting?.demographics.length).toBeGreaterThan(28);
    for (const secret of [patient.cccd, patient.hoTen, 'Phạm Văn']) {
      expect(waiting?.demographics.includes(Buffer.from(secret))).toBe(false);
      expect(JSON.stringify(waiting?.lines)).not.toContain(secret);
    }
    // A few retries fail while identity is down …
    await expectEventually(async () => expect((await rows<{ attempts: number }>(`SELECT attempts FROM visits WHERE ma_lk = 'DD.261121.0101'`))[0]?.attempts).toBeGreaterThanOrEqual(2), WAIT);
    expect(await rows(`SELECT count(*)::int AS n FROM lab_results WHERE ma_lk = 'DD.261121.0101'`)).toEqual([{ n: 0 }]);

    // … then identity is back: the worker resolves the visit, the HIS sees it stored.
    identity.state.mode = 'answer';
    await expectEventually(async () => expect((await submission(answer.submissionId)).visits[0]).toMatchObject({ outcome: 'stored', results: { new: 5 } }), WAIT);
    const ids = await resultIdsOf('DD.261121.0101');
    const patientId = enterpriseIdOf({ identifiers: [{ value: patient.cccd }], localId: '' });
    await expectEventually(() => expect(eventsOf(ids).map((e) => e.key)).toEqual(Array(5).fill(patientId)), WAIT);
    expect(await rows(`SELECT status, demographics FROM visits WHERE ma_lk = 'DD.261121.0101'`)).toEqual([{ status: 'resolved', demographics: null }]);
  });

  it('a patient already known: the next visit resolves without identity; changed demographics — a resubmitted visit too — reach identity; a merge since asks again', async () => {
    const patient = syntheticPatient(201);
    const patientId = enterpriseIdOf({ identifiers: [{ value: patient.cccd }], localId: '' });
    const calls = () => identity.state.requests.filter((r) => r.body['localId'] === patient.maBn);
    const visit = (maLk: string, xml1Fields: Record<string, string> = {}) => ({ ...labVisit(DONG_DA, maLk, patient, PERFORMED), xml1: xml1(DONG_DA, maLk, patient, xml1Fields) });

    expect((await submit(xml130File(DONG_DA, [visit('DD.261122.0201')]))).visits[0]?.outcome).toBe('stored');
    expect(calls()).toHaveLength(1);
    // Kept: identity's answer and a keyed digest of what it was sent — no demographics.
    const [kept] = await rows<Record<string, unknown>>(`SELECT * FROM patient_resolutions WHERE facility_code = $1 AND local_id = $2`, [DONG_DA, patient.maBn]);
    expect(kept).toMatchObject({ enterprise_patient_id: patientId, demographics_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(kept)).not.toMatch(new RegExp(`${patient.cccd}|${patient.hoTen}`));

    // The next visit, the same demographics: stored with no call, in one unit of work (nothing sealed), audited.
    const auditBefore = Number((await rows<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'lab-result.ingest'`))[0]?.n);
    const known = await submit(xml130File(DONG_DA, [visit('DD.261122.0202')]));
    expect(known.visits[0]).toMatchObject({ outcome: 'stored', results: { new: 5 } });
    expect(calls()).toHaveLength(1);
    expect(await rows(`SELECT status, enterprise_patient_id, demographics, attempts FROM visits WHERE ma_lk = 'DD.261122.0202'`)).toEqual([
      { status: 'resolved', enterprise_patient_id: patientId, demographics: null, attempts: 0 },
    ]);
    expect(await rows(`SELECT outcome, patient_id, detail ->> 'resolvedBy' AS resolved_by FROM audit_log WHERE action = 'lab-result.ingest' ORDER BY id OFFSET $1`, [auditBefore])).toEqual([
      { outcome: 'stored', patient_id: patientId, resolved_by: 'known-patient' },
    ]);
    const ids = await resultIdsOf('DD.261122.0202');
    await expectEventually(() => expect(eventsOf(ids).map((e) => [e.type, e.key])).toEqual(Array(5).fill(['vn.lienthong.lab.result.finalized', patientId])), WAIT);

    // The same visit resubmitted with a new address: identity hears of it, with the new address.
    const moved = { DIA_CHI: 'Số 8 ngõ Văn Chương, Đống Đa, Hà Nội' };
    expect((await submit(xml130File(DONG_DA, [visit('DD.261122.0202', moved)]))).visits[0]).toMatchObject({ outcome: 'unchanged', results: { unchanged: 5 } });
    expect(calls()).toHaveLength(2);
    expect(calls()[1]?.body).toMatchObject({ localId: patient.maBn, address: { line: moved.DIA_CHI } });
    // … and is not asked again for it.
    expect((await submit(xml130File(DONG_DA, [visit('DD.261122.0203', moved)]))).visits[0]?.outcome).toBe('stored');
    expect(calls()).toHaveLength(2);

    // identity merged the patient into another since (the registry's copy of its event): identity is asked.
    await rows(`INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES ($1::uuid, gen_random_uuid(), now())
                ON CONFLICT (enterprise_patient_id) DO UPDATE SET merged_into = EXCLUDED.merged_into`, [patientId]);
    expect((await submit(xml130File(DONG_DA, [visit('DD.261122.0204', moved)]))).visits[0]?.outcome).toBe('stored');
    expect(calls()).toHaveLength(3);
  });

  it('identity hanging: the upload answers within the call deadline, the visit waiting', async () => {
    identity.state.mode = 'hang';
    const started = Date.now();
    const answer = await submit(xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.261121.0102', syntheticPatient(102), PERFORMED)]));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answer.visits[0]?.outcome).toBe('pending-patient');
    identity.state.mode = 'answer';
    await expectEventually(async () => expect((await submission(answer.submissionId)).visits[0]?.outcome).toBe('stored'), WAIT);
  });

  it('identity refuses the patient: the visit is rejected with the reason at XML1’s SO_CCCD, nothing stored', async () => {
    identity.state.mode = 'refuse';
    const answer = await submit(xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.261121.0103', syntheticPatient(103), PERFORMED)]));
    expect(answer.visits[0]).toMatchObject({ outcome: 'rejected', errors: [{ pointer: '#/visits/0/xml1/SO_CCCD', rule: 'identity.cccd.checksum', severity: 'error' }] });
    expect(await rows(`SELECT status, demographics, last_error FROM visits WHERE ma_lk = 'DD.261121.0103'`)).toEqual([{ status: 'rejected', demographics: null, last_error: 'identity 422: identity.cccd.checksum' }]);
    expect((await submission(answer.submissionId)).visits[0]?.outcome).toBe('rejected');
  });

  it('refuses what is not an XML 130 upload: not XML (400, with the position), JSON (415), too large (413), nothing written', async () => {
    const before = await rows(`SELECT count(*)::int AS n FROM submissions`);
    const notXml = await upload('MA_LK;HO_TEN;SO_CCCD\nDD.1;Nguyễn Thị Thu Hà;001185004211\n');
    expect(notXml.statusCode).toBe(400);
    expect(notXml.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(notXml.json()).toMatchObject({ reason: 'unreadable-file', line: expect.any(Number), column: expect.any(Number), errors: [{ pointer: '#', rule: 'xml' }] });

    const json = await upload(JSON.stringify({ visits: [] }), undefined, 'application/json');
    expect(json.statusCode).toBe(415);

    const huge = await upload(Buffer.alloc(3 * 1024 * 1024, ' '));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ reason: 'payload-too-large', maxBytes: 2 * 1024 * 1024 });
    expect(await rows(`SELECT count(*)::int AS n FROM submissions`)).toEqual(before);
  });

  it('speaks for the facility in the token only: 401 without one, 403 without the scope, other facilities’ submissions not found, a bad id 422', async () => {
    const file = xml130File(DONG_DA, [labVisit(DONG_DA, 'DD.261121.0104', syntheticPatient(104), PERFORMED)]);
    expect((await upload(file, {})).statusCode).toBe(401);
    expect((await upload(file, await auth(DONG_DA, 'system/Patient.rs'))).statusCode).toBe(403);
    const answer = await submit(file);
    const other = await app.inject({ method: 'GET', url: `/v1/submissions/${answer.submissionId}`, headers: await auth('01904') });
    expect(other.statusCode).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/v1/submissions/not-a-uuid', headers: await auth() });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ errors: [{ field: 'submissionId' }] });
  });
});
