import { decodeCloudEvent } from '@lienthong/contracts';
import { expectEventually, type CollectedMessage, type TestTokenClaims } from '@lienthong/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { type ConsentTestApp, startConsentTestApp } from './testing/consent-test-app';
import { PublishDueExpiriesUseCase } from './use-cases/publish-due-expiries/publish-due-expiries.use-case';

/*
 * Break-the-glass, its report and the expiry job on the real Postgres, Redis and Kafka: the service's
 * module in-process behind its HTTP stack (auth, validation, problem+json), its relay publishing to
 * consent.v1, its expiry job polling as in production (CONSENT_EXPIRY_POLL_MS default).
 */

const CHO_RAY = '79001';
const HUNG_VUONG = '79002';
const BACH_MAI = '01901';
const REASON = 'Bệnh nhân hôn mê sau tai nạn, cần tiền sử dị ứng và thuốc đang dùng';
const IN_PERSON = { channel: 'in-person', recordedBy: 'NV-7', informedOfSensitivity: true };

interface Event {
  readonly type: string;
  readonly key: string;
  readonly data: Record<string, unknown>;
  readonly receivedAt: number;
}

describe('break-the-glass and consent expiry (real Postgres, Redis and Kafka)', () => {
  let t: ConsentTestApp;
  let app: NestFastifyApplication;
  let sql: DataSource;
  const received = new Map<CollectedMessage, number>();

  const events = (): Event[] =>
    t.published.messages.map((m) => {
      if (!received.has(m)) received.set(m, Date.now());
      const e = decodeCloudEvent({ headers: m.message.headers, value: m.message.value });
      return { type: e.type, key: m.message.key?.toString() ?? '', data: e.data as Record<string, unknown>, receivedAt: received.get(m) ?? 0 };
    });
  const eventsAbout = (field: string, value: string) => events().filter((e) => e.data[field] === value);
  const expiriesOf = (consentId: string) => eventsAbout('consentId', consentId).filter((e) => e.type === 'vn.lienthong.consent.consent.expired');

  const token = (claims: TestTokenClaims) => t.headers(claims);
  const facility = (code: string, scope = 'lienthong/emergency-access lienthong/audit.read') => token({ facility: code, scope, sub: `his-${code}` });
  const declare = async (headers: Record<string, string>, body: unknown) => app.inject({ method: 'POST', url: '/v1/emergency-access', headers, payload: body as object });
  const report = async (headers: Record<string, string>, query: Record<string, string>) =>
    app.inject({ method: 'GET', url: '/v1/emergency-access/report', headers, query });
  const count = (table: string) => t.count(table);

  const knownPatient = (...registeredAt: string[]) => t.knownPatient(...registeredAt);

  /**
   * A treatment grant (version 1) whose period ends `endsInMs` from now by the database's clock (or
   * ended already), with its pending end: the rows recording a grant writes, inserted directly, for
   * ends the API cannot record (in the past) and sentinels.
   */
  async function grantEnding(patient: string, endsInMs: number): Promise<{ consentId: string; endsAt: Date }> {
    const consentId = randomUUID();
    const [{ ends_at: endsAt }] = await sql.query<[{ ends_at: Date }]>(`SELECT now() + make_interval(secs => $1::float8 / 1000) AS ends_at`, [endsInMs]);
    const version = (v: number, status: string) =>
      sql.query(
        `INSERT INTO consent_versions (consent_id, version, status, purposes, categories, grantees, valid_from, valid_until, channel, reference,
           document_sha256, recorded_by, recorded_at_facility, recorded_at, informed_of_sensitivity, representative, recorded_by_subject)
         VALUES ($1, $2, $3, '{treatment,referral}', '{lab,imaging}', '[{"kind":"facilities","facilityCodes":["${HUNG_VUONG}"]}]', now() - interval '1 day', $4,
           'in-person', NULL, NULL, 'NV-7', '${CHO_RAY}', now(), true, NULL, 'his-${CHO_RAY}')`,
        [consentId, v, status, endsAt],
      );
    await sql.query(`INSERT INTO consents (consent_id, enterprise_patient_id, original_patient_id, created_at) VALUES ($1, $2, $2, now())`, [consentId, patient]);
    await version(1, 'granted');
    await sql.query(`INSERT INTO consent_expiries (consent_id, version, ends_at) VALUES ($1, 1, $2)`, [consentId, endsAt]);
    return { consentId, endsAt };
  }

  /** POST /v1/consents: Chợ Rẫy records the patient's grant of treatment and referral data to Hùng Vương until `validUntil`. */
  async function recordGrant(patient: string, validUntil: Date): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/consents',
      headers: await facility(CHO_RAY, 'system/Consent.c'),
      payload: {
        enterprisePatientId: patient,
        decision: 'grant',
        scope: { purposes: ['treatment', 'referral'], categories: ['lab', 'imaging'], grantees: [{ kind: 'facilities', facilityCodes: [HUNG_VUONG] }], validUntil: validUntil.toISOString() },
        evidence: IN_PERSON,
      },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ consentId: string }>().consentId;
  }

  beforeAll(async () => {
    t = await startConsentTestApp('consent_ea', [
      { code: CHO_RAY, level: 'specialised', provinceCode: '79' },
      { code: HUNG_VUONG, level: 'basic', provinceCode: '79' },
      { code: BACH_MAI, level: 'specialised', provinceCode: '01' },
    ]);
    ({ app, sql } = t);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('break-the-glass', () => {
    it('grants the declaring facility access for the default hour (201), stores the reason, and publishes the grant without it', async () => {
      const patient = await knownPatient();
      const response = await declare(await facility(CHO_RAY), { enterprisePatientId: patient, clinicianId: 'BS-0042', reason: REASON });

      expect(response.statusCode).toBe(201);
      const granted = response.json<{ id: string; facilityCode: string; grantedAt: string; expiresAt: string }>();
      expect(granted).toEqual({ id: expect.any(String), facilityCode: CHO_RAY, grantedAt: expect.any(String), expiresAt: expect.any(String) });
      expect(Date.parse(granted.expiresAt) - Date.parse(granted.grantedAt)).toBe(60 * 60_000);
      expect(await sql.query(`SELECT facility_code, clinician_id, reason, actor_subject FROM emergency_accesses WHERE id = $1`, [granted.id])).toEqual([
        { facility_code: CHO_RAY, clinician_id: 'BS-0042', reason: REASON, actor_subject: `his-${CHO_RAY}` },
      ]);

      const [event] = await expectEventually(() => {
        const found = eventsAbout('grantId', granted.id);
        expect(found).toHaveLength(1);
        return found;
      });
      expect(event).toMatchObject({
        type: 'vn.lienthong.consent.emergency-access.granted',
        key: patient,
        data: { grantId: granted.id, enterprisePatientId: patient, facilityCode: CHO_RAY, clinicianId: 'BS-0042', grantedAt: granted.grantedAt, expiresAt: granted.expiresAt },
      });
      expect(JSON.stringify(event)).not.toContain('hôn mê');

      const audit = await sql.query<{ action: string; outcome: string; facility_code: string; detail: Record<string, unknown> }[]>(
        `SELECT action, outcome, facility_code, detail FROM audit_log WHERE patient_id = $1`,
        [patient],
      );
      expect(audit).toEqual([{ action: 'emergency-access.declare', outcome: 'ok', facility_code: CHO_RAY, detail: expect.objectContaining({ emergencyAccessId: granted.id }) }]);
      expect(JSON.stringify(audit)).not.toContain('hôn mê');
    });

    it('lets the very next emergency decision for that facility permit, and no other facility’s', async () => {
      const patient = await knownPatient();
      const decide = async (facilityCode: string) =>
        (
          await app.inject({
            method: 'POST',
            url: '/v1/decisions',
            headers: await token({ service: 'records-service', scope: 'lienthong/consent.decide' }),
            payload: { enterprisePatientId: patient, facilityCode, category: 'lab', purpose: 'emergency' },
          })
        ).json<{ decision: string; reason: string; emergencyAccessId?: string }>();
      // Asked (and cached) before the glass is broken.
      expect(await decide(CHO_RAY)).toMatchObject({ decision: 'deny', reason: 'no-emergency-access' });

      const granted = (await declare(await facility(CHO_RAY), { enterprisePatientId: patient, clinicianId: 'BS-0042', reason: REASON, durationMinutes: 15 })).json<{ id: string }>();

      expect(await decide(CHO_RAY)).toMatchObject({ decision: 'permit', reason: 'emergency-access', emergencyAccessId: granted.id });
      expect(await decide(HUNG_VUONG)).toMatchObject({ decision: 'deny', reason: 'no-emergency-access' });
    });

    it('grants a patient merged away as its survivor: an emergency decision about either id permits', async () => {
      const [survivor, merged] = [await knownPatient(), await knownPatient()];
      await sql.query(`UPDATE patients SET merged_into = $1 WHERE enterprise_patient_id = $2`, [survivor, merged]);
      const response = await declare(await facility(CHO_RAY), { enterprisePatientId: merged, clinicianId: 'BS-0042', reason: REASON });
      expect(response.statusCode).toBe(201);

      expect(await sql.query(`SELECT enterprise_patient_id FROM emergency_accesses WHERE id = $1`, [response.json<{ id: string }>().id])).toEqual([{ enterprise_patient_id: survivor }]);
      const headers = await token({ service: 'records-service', scope: 'lienthong/consent.decide' });
      for (const enterprisePatientId of [merged, survivor]) {
        const decision = await app.inject({ method: 'POST', url: '/v1/decisions', headers, payload: { enterprisePatientId, facilityCode: CHO_RAY, category: 'lab', purpose: 'emergency' } });
        expect(decision.json()).toMatchObject({ decision: 'permit', reason: 'emergency-access' });
      }
    });

    it.each([
      ['an unknown patient', { enterprisePatientId: randomUUID() }, '#/enterprisePatientId'],
      ['a reason under 10 characters', { reason: 'cấp cứu' }, '#/reason'],
      ['a period over the configured 240 minutes', { durationMinutes: 241 }, '#/durationMinutes'],
      ['no clinician', { clinicianId: undefined }, '#/clinicianId'],
      ['a clinician named rather than identified', { clinicianId: 'BS Nguyễn Văn An' }, '#/clinicianId'],
    ])('refuses %s with a 422 naming the field, writing nothing', async (_, patch, pointer) => {
      const patient = await knownPatient();
      const before = await Promise.all(['emergency_accesses', 'audit_log', 'outbox'].map(count));
      const response = await declare(await facility(CHO_RAY), { enterprisePatientId: patient, clinicianId: 'BS-0042', reason: REASON, ...patch });

      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual([pointer]);
      expect(await Promise.all(['emergency_accesses', 'audit_log', 'outbox'].map(count))).toEqual(before);
    });

    it('is declared by a facility holding lienthong/emergency-access: 403 without the scope, 403 for a person', async () => {
      const patient = await knownPatient();
      const body = { enterprisePatientId: patient, clinicianId: 'BS-0042', reason: REASON };
      const noScope = await declare(await facility(CHO_RAY, 'lienthong/audit.read'), body);
      expect(noScope.statusCode).toBe(403);
      const person = await declare(await token({ role: 'data-steward', scope: 'lienthong/emergency-access' }), body);
      expect(person.statusCode).toBe(403);
      expect(person.json()).toMatchObject({ reason: 'facility-required' });
    });
  });

  describe('the emergency-access report', () => {
    const window = () => ({ from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
    let patients: string[];

    beforeAll(async () => {
      await sql.query(`DELETE FROM emergency_accesses`);
      patients = [await knownPatient(), await knownPatient()];
      for (const [code, patient] of [
        [CHO_RAY, patients[0]],
        [CHO_RAY, patients[0]],
        [CHO_RAY, patients[1]],
        [HUNG_VUONG, patients[1]],
        [BACH_MAI, patients[0]],
      ] as const) {
        expect((await declare(await facility(code), { enterprisePatientId: patient, clinicianId: 'BS-1', reason: `${REASON} (${code})` })).statusCode).toBe(201);
      }
    });

    type Report = { facilities: { facilityCode: string; count: number; distinctPatients: number; accesses: { reason: string; enterprisePatientId: string }[] }[]; truncated: boolean };

    it('shows a facility its own accesses: count, distinct patients, each with its reason', async () => {
      const response = await report(await facility(CHO_RAY), window());
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json<Report>();
      expect(body.facilities.map((f) => [f.facilityCode, f.count, f.distinctPatients])).toEqual([[CHO_RAY, 3, 2]]);
      expect(body.facilities[0]?.accesses.map((a) => a.reason)).toEqual([`${REASON} (${CHO_RAY})`, `${REASON} (${CHO_RAY})`, `${REASON} (${CHO_RAY})`]);
      expect((await report(await facility(CHO_RAY), { ...window(), facilityCode: BACH_MAI })).statusCode).toBe(403);
    });

    it('shows the ministry every facility, and a provincial analyst only their province’s (from the facility registry copy)', async () => {
      const ministry = (await report(await token({ role: 'ministry-analyst', scope: 'lienthong/audit.read' }), window())).json<Report>();
      expect(ministry.facilities.map((f) => [f.facilityCode, f.count, f.distinctPatients])).toEqual([
        [BACH_MAI, 1, 1],
        [CHO_RAY, 3, 2],
        [HUNG_VUONG, 1, 1],
      ]);
      const hcm = await token({ role: 'provincial-analyst', province: '79', scope: 'lienthong/audit.read' });
      expect((await report(hcm, window())).json<Report>().facilities.map((f) => f.facilityCode)).toEqual([CHO_RAY, HUNG_VUONG]);
      expect((await report(hcm, { ...window(), facilityCode: HUNG_VUONG })).json<Report>().facilities.map((f) => f.facilityCode)).toEqual([HUNG_VUONG]);
      expect((await report(hcm, { ...window(), facilityCode: BACH_MAI })).statusCode).toBe(403);
    });

    it('is audited once per patient named, without the reasons', async () => {
      const before = await count('audit_log');
      await report(await token({ role: 'ministry-analyst', scope: 'lienthong/audit.read' }), window());
      const rows = await sql.query<{ patient_id: string; detail: Record<string, unknown> }[]>(
        `SELECT patient_id, detail FROM audit_log WHERE action = 'emergency-access.report' ORDER BY id DESC LIMIT 2`,
      );
      expect(await count('audit_log')).toBe(before + 2);
      expect(rows.map((r) => r.patient_id).sort()).toEqual([...patients].sort());
      expect(JSON.stringify(rows)).not.toContain('hôn mê');
    });

    it.each([
      ['a time without offset', { from: '2026-03-01T00:00:00', to: '2026-03-02T00:00:00+07:00' }, 'from'],
      ['to before from', { from: '2026-03-02T00:00:00+07:00', to: '2026-03-01T00:00:00+07:00' }, 'to'],
      ['more than 366 days', { from: '2025-01-01T00:00:00+07:00', to: '2026-01-03T00:00:00+07:00' }, 'to'],
      ['a malformed facility code', { from: '2026-03-01T00:00:00+07:00', to: '2026-03-02T00:00:00+07:00', facilityCode: '7900' }, 'facilityCode'],
    ])('refuses %s with a 422 naming the parameter', async (_, query, field) => {
      const response = await report(await token({ role: 'ministry-analyst', scope: 'lienthong/audit.read' }), query);
      expect(response.statusCode).toBe(422);
      expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual([field]);
    });
  });

  describe('expiry', () => {
    it('publishes ConsentExpiredV1 within 5 s of a grant’s end, with the scope that ended, exactly once', async () => {
      const patient = await knownPatient(CHO_RAY);
      const endsAt = new Date(Date.now() + 2_000);
      const consentId = await recordGrant(patient, endsAt);

      const [expired] = await expectEventually(
        () => {
          const found = expiriesOf(consentId);
          expect(found).toHaveLength(1);
          return found;
        },
        { timeoutMs: 10_000 },
      );
      expect(expired?.receivedAt).toBeLessThan(endsAt.getTime() + 5_000);
      expect(expired).toMatchObject({
        type: 'vn.lienthong.consent.consent.expired',
        key: patient,
        data: {
          consentId,
          version: 1,
          enterprisePatientId: patient,
          expiredAt: endsAt.toISOString(),
          scope: { purposes: ['treatment', 'referral'], categories: ['lab', 'imaging'], grantees: [{ kind: 'facilities', facilityCodes: [HUNG_VUONG] }], validUntil: endsAt.toISOString() },
        },
      });

      // A later end of the same patient (same partition, after it in order): once it has arrived, a repeat of the first would have too.
      const later = await grantEnding(patient, 0);
      await expectEventually(() => expect(expiriesOf(later.consentId)).toHaveLength(1), { timeoutMs: 10_000 });
      expect(expiriesOf(consentId)).toHaveLength(1);
      expect(await sql.query(`SELECT detail->>'consentId' AS consent FROM audit_log WHERE patient_id = $1 AND action = 'consent.expire' ORDER BY id`, [patient])).toEqual([
        { consent: consentId },
        { consent: later.consentId },
      ]);
    });

    it('never announces a grant withdrawn before its end', async () => {
      const patient = await knownPatient(CHO_RAY);
      const withdrawn = await recordGrant(patient, new Date(Date.now() + 2_000));
      const withdrawal = await app.inject({ method: 'POST', url: `/v1/consents/${withdrawn}/withdrawal`, headers: await facility(CHO_RAY, 'system/Consent.c'), payload: { evidence: IN_PERSON } });
      expect(withdrawal.statusCode).toBe(201);
      const later = await grantEnding(patient, 3_000);

      await expectEventually(() => expect(expiriesOf(later.consentId)).toHaveLength(1), { timeoutMs: 10_000 });
      expect(expiriesOf(withdrawn)).toEqual([]);
      expect(await sql.query(`SELECT version, published_at, superseded FROM consent_expiries WHERE consent_id = $1`, [withdrawn])).toEqual([
        { version: 1, published_at: null, superseded: true },
      ]);
    });

    it('announces each of many due ends once when several pollers race for them (SKIP LOCKED)', async () => {
      const patient = await knownPatient();
      const ends = await Promise.all(Array.from({ length: 40 }, () => grantEnding(patient, -1_000)));
      const publish = app.get(PublishDueExpiriesUseCase);

      // Four extra pollers in parallel with the service's own job, each on its own connection.
      await Promise.all(Array.from({ length: 4 }, () => publish.execute(5)));
      await expectEventually(() => expect(ends.filter((e) => expiriesOf(e.consentId).length > 0)).toHaveLength(40), { timeoutMs: 15_000 });
      const sentinel = await grantEnding(patient, 0);
      await expectEventually(() => expect(expiriesOf(sentinel.consentId)).toHaveLength(1), { timeoutMs: 10_000 });
      expect(ends.map((e) => expiriesOf(e.consentId).length)).toEqual(ends.map(() => 1));
    });
  });
});

