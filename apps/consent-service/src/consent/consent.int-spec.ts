import { decodeCloudEvent } from '@lienthong/contracts';
import { expectEventually, type TestTokenClaims } from '@lienthong/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type ConsentTestApp, startConsentTestApp } from './testing/consent-test-app';

/*
 * Consents over the service's own HTTP stack (auth, zod validation, problem+json, FHIR) on the real
 * Postgres, Redis and Kafka: the module in-process, its relay publishing to consent.v1.
 */

const CHO_RAY = '79001';
const DISTRICT = '79010';
const BACH_MAI = '01901';
const STRANGER = '01902';
const SCAN_SHA256 = createHash('sha256').update('phiếu đồng ý đã ký (scan)').digest('hex');
const WRITE_READ = 'system/Consent.c system/Consent.rs';

interface ConsentView {
  consentId: string;
  enterprisePatientId: string;
  status: string;
  currentVersion: number;
  versions: { version: number; status: string; scope: Record<string, unknown>; evidence: Record<string, unknown>; representative: unknown }[];
}

interface Problem {
  status: number;
  code: string;
  errors?: { pointer?: string; field?: string; rule: string }[];
}

describe('consents (real Postgres, Redis and Kafka, over HTTP)', () => {
  let t: ConsentTestApp;
  let app: NestFastifyApplication;
  let sql: DataSource;

  const headers = (claims: TestTokenClaims) => t.headers(claims);
  const facility = (code: string, scope = WRITE_READ) => headers({ facility: code, scope, sub: `his-${code}` });
  const post = async (url: string, auth: Record<string, string>, body: unknown) => app.inject({ method: 'POST', url, headers: auth, payload: body as object });
  const get = async (url: string, auth: Record<string, string>) => app.inject({ method: 'GET', url, headers: auth });
  const count = (table: string) => t.count(table);
  // The relay deletes what it has published, so "nothing reached the outbox" is read off its id sequence (never rolled back).
  const outboxInserts = async () => (await sql.query<{ n: string }[]>(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM outbox_id_seq`))[0]?.n;
  const eventsOf = (consentId: string) =>
    t.published.messages
      .map((m) => ({ key: m.message.key?.toString(), ...decodeCloudEvent({ headers: m.message.headers, value: m.message.value }) }))
      .filter((e) => (e.data as { consentId?: string }).consentId === consentId)
      .map((e) => ({ key: e.key, type: e.type, version: (e.data as { version: number }).version }));

  const knownPatient = (...registeredAt: string[]) => t.knownPatient(...registeredAt);

  const scope = (overrides: Record<string, unknown> = {}) => ({
    purposes: ['treatment', 'referral'],
    categories: ['lab'],
    grantees: [{ kind: 'facilities', facilityCodes: [DISTRICT] }],
    ...overrides,
  });
  const evidence = (overrides: Record<string, unknown> = {}) => ({ channel: 'in-person', recordedBy: 'NV-0042', informedOfSensitivity: true, ...overrides });
  const grantBody = (patient: string, overrides: Record<string, unknown> = {}) => ({ enterprisePatientId: patient, decision: 'grant', scope: scope(), evidence: evidence(), ...overrides });

  async function decide(patient: string, facilityCode: string, category = 'lab') {
    const response = await post('/v1/decisions', await headers({ service: 'exchange-service', scope: 'lienthong/consent.decide' }), {
      enterprisePatientId: patient,
      facilityCode,
      category,
      purpose: 'treatment',
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ decision: string; reason: string; basis: { consentId: string; version: number }[] }>();
  }

  beforeAll(async () => {
    t = await startConsentTestApp('consent_int', [
      { code: CHO_RAY, level: 'specialised', provinceCode: '79' },
      { code: DISTRICT, level: 'basic', provinceCode: '79' },
      { code: BACH_MAI, level: 'specialised', provinceCode: '01' },
      { code: STRANGER, level: 'basic', provinceCode: '01' },
    ]);
    ({ app, sql } = t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('has a schema identical to the entities (generating a migration yields nothing)', async () => {
    const log = await sql.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('a grant, its change (v2) and its withdrawal (v3) are all readable afterwards, published in order, and each decides the next decision', async () => {
    const patient = await knownPatient(CHO_RAY);
    const auth = await facility(CHO_RAY);
    const inOneDay = new Date(Date.now() + 86_400_000).toISOString();

    const granted = await post('/v1/consents', auth, grantBody(patient, { scope: scope({ validUntil: inOneDay }), evidence: evidence({ channel: 'signed-paper', documentSha256: SCAN_SHA256 }) }));
    expect(granted.statusCode).toBe(201);
    expect(granted.headers['cache-control']).toBe('no-store');
    const v1 = granted.json<ConsentView>();
    expect(granted.headers['location']).toBe(`/v1/consents/${v1.consentId}`);
    expect(v1).toMatchObject({ enterprisePatientId: patient, status: 'granted', currentVersion: 1, versions: [{ version: 1, status: 'granted' }] });
    expect(v1.versions[0]?.evidence).toMatchObject({ channel: 'signed-paper', documentSha256: SCAN_SHA256, recordedAtFacility: CHO_RAY, recordedBy: 'NV-0042' });
    expect(await decide(patient, DISTRICT)).toMatchObject({ decision: 'permit', reason: 'consent-granted', basis: [{ consentId: v1.consentId, version: 1 }] });
    expect(await decide(patient, BACH_MAI)).toMatchObject({ decision: 'deny' });

    const changed = await post(`/v1/consents/${v1.consentId}/versions`, auth, {
      scope: scope({ categories: ['lab', 'imaging'], grantees: [{ kind: 'facilities', facilityCodes: [DISTRICT, BACH_MAI] }] }),
      evidence: evidence({ channel: 'sms-code', reference: 'SMS-88213' }),
    });
    expect(changed.statusCode).toBe(201);
    expect(changed.json<ConsentView>()).toMatchObject({ status: 'granted', currentVersion: 2 });
    // The very next decision sees version 2 (the cache was dropped before the answer left).
    expect(await decide(patient, BACH_MAI, 'imaging')).toMatchObject({ decision: 'permit', basis: [{ consentId: v1.consentId, version: 2 }] });

    const withdrawn = await post(`/v1/consents/${v1.consentId}/withdrawal`, auth, { evidence: evidence({ channel: 'vneid', reference: 'VNEID-5512' }) });
    expect(withdrawn.statusCode).toBe(201);
    expect(withdrawn.json<ConsentView>()).toMatchObject({ status: 'withdrawn', currentVersion: 3 });
    expect(await decide(patient, DISTRICT)).toMatchObject({ decision: 'deny', reason: 'consent-withdrawn', basis: [{ consentId: v1.consentId, version: 3 }] });

    const again = await post(`/v1/consents/${v1.consentId}/withdrawal`, auth, { evidence: evidence() });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);

    const read = await get(`/v1/consents/${v1.consentId}`, auth);
    expect(read.statusCode).toBe(200);
    const whole = read.json<ConsentView>();
    expect(whole.versions.map((v) => [v.version, v.status, (v.evidence as { channel: string }).channel])).toEqual([
      [3, 'withdrawn', 'vneid'],
      [2, 'granted', 'sms-code'],
      [1, 'granted', 'signed-paper'],
    ]);
    expect(whole.versions[2]?.scope).toMatchObject({ categories: ['lab'], validUntil: inOneDay });
    expect(whole.versions[0]?.scope).toMatchObject({ categories: ['lab', 'imaging'] }); // the withdrawal names what it stops

    const history = await get(`/v1/patients/${patient}/consents`, auth);
    expect(history.statusCode).toBe(200);
    expect(history.json()).toEqual({ items: [whole], nextCursor: null });

    // Published in order, keyed by the patient; version 1's end is not announced any more (it was replaced).
    await expectEventually(() =>
      expect(eventsOf(v1.consentId)).toEqual([
        { key: patient, type: 'vn.lienthong.consent.consent.granted', version: 1 },
        { key: patient, type: 'vn.lienthong.consent.consent.granted', version: 2 },
        { key: patient, type: 'vn.lienthong.consent.consent.withdrawn', version: 3 },
      ]),
    );
    expect(await sql.query(`SELECT version, superseded, published_at FROM consent_expiries WHERE consent_id = $1`, [v1.consentId])).toEqual([
      { version: 1, superseded: true, published_at: null },
    ]);
    const audit = await sql.query<{ action: string; outcome: string; facility_code: string }[]>(
      `SELECT action, outcome, facility_code FROM audit_log WHERE patient_id = $1 AND action LIKE 'consent.%' ORDER BY id`,
      [patient],
    );
    expect(audit.map((a) => [a.action, a.outcome, a.facility_code])).toEqual([
      ['consent.grant', 'ok', CHO_RAY],
      ['consent.change', 'ok', CHO_RAY],
      ['consent.withdraw', 'ok', CHO_RAY],
      ['consent.withdraw', 'denied', CHO_RAY],
      ['consent.read', 'ok', CHO_RAY],
      ['consent.history', 'ok', CHO_RAY],
    ]);
  });

  describe('bad input: 422 naming the field, and nothing written', () => {
    let patient: string;

    beforeAll(async () => {
      patient = await knownPatient(CHO_RAY);
    });

    const cases: [string, (patient: string) => unknown, string][] = [
      ['an unknown purpose', (p) => grantBody(p, { scope: scope({ purposes: ['treatment', 'marketing'] }) }), '#/scope/purposes/1'],
      ['an unknown category', (p) => grantBody(p, { scope: scope({ categories: ['dna'] }) }), '#/scope/categories/0'],
      [
        'a period ending before it starts',
        (p) => grantBody(p, { scope: scope({ validFrom: '2031-01-02T00:00:00+07:00', validUntil: '2031-01-01T00:00:00+07:00' }) }),
        '#/scope/validUntil',
      ],
      [
        'an unknown grantee facility',
        (p) => grantBody(p, { scope: scope({ grantees: [{ kind: 'care-relationship' }, { kind: 'facilities', facilityCodes: [DISTRICT, '79999'] }] }) }),
        '#/scope/grantees/1/facilityCodes/1',
      ],
      ['a grant without evidence', (p) => ({ enterprisePatientId: p, decision: 'grant', scope: scope() }), '#/evidence'],
      ['a signed paper without its hash', (p) => grantBody(p, { evidence: evidence({ channel: 'signed-paper' }) }), '#/evidence/documentSha256'],
      ['a patient not told about sensitive data', (p) => grantBody(p, { scope: scope({ categories: ['hiv'] }), evidence: evidence({ informedOfSensitivity: false }) }), '#/evidence/informedOfSensitivity'],
      ['a body naming the recording facility', (p) => grantBody(p, { evidence: { ...evidence(), recordedAtFacility: BACH_MAI } }), '#/evidence'],
      ['an unknown patient', () => grantBody(randomUUID()), '#/enterprisePatientId'],
    ];

    it.each(cases)('%s', async (_name, body, pointer) => {
      const before = await Promise.all(['consents', 'consent_versions', 'consent_expiries', 'audit_log'].map(count));
      const outboxBefore = await outboxInserts();

      const response = await post('/v1/consents', await facility(CHO_RAY), body(patient));

      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json<Problem>().errors?.map((e) => e.pointer)).toEqual([pointer]);
      expect(await Promise.all(['consents', 'consent_versions', 'consent_expiries', 'audit_log'].map(count))).toEqual(before);
      expect(await outboxInserts()).toBe(outboxBefore);
    });
  });

  it('a consent given for a merged patient id is recorded for the survivor, and decisions about either id rest on it', async () => {
    const survivor = await knownPatient(CHO_RAY);
    const merged = await knownPatient();
    await sql.query(`UPDATE patients SET merged_into = $1 WHERE enterprise_patient_id = $2`, [survivor, merged]);

    const response = await post('/v1/consents', await facility(CHO_RAY), grantBody(merged));
    expect(response.statusCode).toBe(201);
    const consent = response.json<ConsentView>();
    expect(consent).toMatchObject({ enterprisePatientId: survivor, originalPatientId: survivor });
    expect((await get(`/v1/patients/${survivor}/consents`, await facility(CHO_RAY))).json()).toMatchObject({ items: [{ consentId: consent.consentId }] });
    for (const asked of [merged, survivor]) {
      expect(await decide(asked, DISTRICT)).toMatchObject({ decision: 'permit', basis: [{ consentId: consent.consentId, version: 1 }] });
    }
  });

  it('a facility with no relationship to the patient is told nothing (404, audited as denied); a registered one and a data steward read', async () => {
    const patient = await knownPatient(CHO_RAY, DISTRICT);
    const consent = (await post('/v1/consents', await facility(CHO_RAY), grantBody(patient))).json<ConsentView>();

    const stranger = await get(`/v1/consents/${consent.consentId}`, await facility(STRANGER, 'system/Consent.rs'));
    expect(stranger.statusCode).toBe(404);
    expect(stranger.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await get(`/v1/patients/${patient}/consents`, await facility(STRANGER, 'system/Consent.rs'))).statusCode).toBe(404);
    expect(await sql.query(`SELECT action, outcome FROM audit_log WHERE patient_id = $1 AND facility_code = $2 ORDER BY id`, [patient, STRANGER])).toEqual([
      { action: 'consent.read', outcome: 'denied' },
      { action: 'consent.history', outcome: 'denied' },
    ]);
    // Nor can it make itself a reader by recording a statement of its own: it has no care relationship.
    const planted = await post('/v1/consents', await facility(STRANGER), grantBody(patient));
    expect(planted.statusCode).toBe(422);
    expect(planted.json<Problem>().errors).toEqual([expect.objectContaining({ pointer: '#/enterprisePatientId', rule: 'care-relationship' })]);
    expect((await get(`/v1/patients/${patient}/consents`, await facility(STRANGER, 'system/Consent.rs'))).statusCode).toBe(404);

    expect((await get(`/v1/consents/${consent.consentId}`, await facility(DISTRICT, 'system/Consent.rs'))).statusCode).toBe(200);
    expect((await get(`/v1/consents/${consent.consentId}`, await headers({ role: 'data-steward', scope: 'system/Consent.rs' }))).statusCode).toBe(200);
    expect((await get(`/v1/consents/${consent.consentId}`, await headers({ role: 'ministry-analyst', scope: 'system/Consent.rs' }))).statusCode).toBe(404);
  });

  it('FHIR: Consent read (current version), vread, search by patient, OperationOutcome on errors, and the CapabilityStatement', async () => {
    const patient = await knownPatient(CHO_RAY);
    const auth = await facility(CHO_RAY);
    const consent = (
      await post('/v1/consents', auth, grantBody(patient, { evidence: evidence({ channel: 'signed-paper', documentSha256: SCAN_SHA256 }), scope: scope({ categories: ['lab', 'hiv'] }) }))
    ).json<ConsentView>();
    await post(`/v1/consents/${consent.consentId}/withdrawal`, auth, { evidence: evidence() });
    const refusal = (await post('/v1/consents', auth, grantBody(patient, { decision: 'refuse', scope: scope({ purposes: ['research-deidentified'] }) }))).json<ConsentView>();

    const read = await get(`/fhir/Consent/${consent.consentId}`, auth);
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(read.json()).toMatchObject({
      resourceType: 'Consent',
      id: consent.consentId,
      meta: { versionId: '2' },
      status: 'inactive',
      patient: { reference: `Patient/${patient}` },
      organization: [{ identifier: { system: 'https://lienthong.vn/fhir/sid/facility', value: CHO_RAY } }],
      provision: {
        type: 'permit',
        purpose: [{ code: 'treatment' }, { code: 'referral' }],
        class: [{ code: 'lab' }, { code: 'hiv' }],
        actor: [{ reference: { identifier: { value: DISTRICT } } }],
      },
    });

    const v1 = await get(`/fhir/Consent/${consent.consentId}/_history/1`, auth);
    expect(v1.json()).toMatchObject({ meta: { versionId: '1' }, status: 'active', sourceAttachment: { hash: Buffer.from(SCAN_SHA256, 'hex').toString('base64') } });
    const missingVersion = await get(`/fhir/Consent/${consent.consentId}/_history/3`, auth);
    expect(missingVersion.statusCode).toBe(404);
    expect(missingVersion.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });

    const search = await get(`/fhir/Consent?patient=Patient/${patient}`, auth);
    expect(search.statusCode).toBe(200);
    expect(search.json()).toMatchObject({
      resourceType: 'Bundle',
      type: 'searchset',
      total: 2,
      entry: [
        { resource: { id: refusal.consentId, status: 'rejected', provision: { type: 'deny' } }, search: { mode: 'match' } },
        { resource: { id: consent.consentId, status: 'inactive' }, search: { mode: 'match' } },
      ],
    });
    // Someone with no relationship finds nothing — the same empty set as for an unknown patient.
    const outsider = await get(`/fhir/Consent?patient=${patient}`, await facility(STRANGER, 'system/Consent.rs'));
    expect(outsider.json()).toMatchObject({ resourceType: 'Bundle', total: 0 });
    expect(outsider.json()).not.toHaveProperty('entry');

    const noPatient = await get('/fhir/Consent', auth);
    expect(noPatient.statusCode).toBe(422);
    expect(noPatient.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'invalid', expression: ['http.patient'] }] });
    const unknown = await get(`/fhir/Consent/${randomUUID()}`, auth);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/fhir\+json/);

    const metadata = await app.inject({ method: 'GET', url: '/fhir/metadata' });
    expect(metadata.statusCode).toBe(200);
    expect(metadata.json()).toMatchObject({
      resourceType: 'CapabilityStatement',
      fhirVersion: '4.0.1',
      rest: [{ resource: [{ type: 'Consent', interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'search-type' }], searchParam: [{ name: 'patient' }] }] }],
    });
  });
});
