import { decodeCloudEvent, Topics } from '@lienthong/contracts';
import { provisionTopics, silentLogger } from '@lienthong/messaging';
import {
  collectMessages,
  createTestIssuer,
  expectEventually,
  facilityHeaders,
  testKafka,
  uniqueName,
  withSql,
  type CollectedMessage,
  type ServiceProcess,
} from '@lienthong/testing';
import { CONSENT_SCOPES, type ConsentProcess, grantBody, recordConsent, seedFacilities, seedPatient, startConsent, startConsentReplica } from './consent-process';

/*
 * The expiry job of the built service, as deployed: two replicas polling one database announce a
 * grant's end once; a grant whose end passes while no replica runs is announced once, within seconds
 * of the next start.
 */
const CHO_RAY = '79001';
const EXPIRED = 'vn.lienthong.consent.consent.expired';

describe('consent expiry (built service, two replicas, a restart)', () => {
  const issuer = createTestIssuer();
  let primary: ConsentProcess;
  const replicas: ServiceProcess[] = [];
  let collector: Awaited<ReturnType<typeof collectMessages>>;
  const firstSeen = new Map<CollectedMessage, number>();

  /** ConsentExpiredV1 events of this consent on consent.v1, with when the test first saw each. */
  const expiriesOf = (consentId: string) =>
    collector.messages
      .map((m) => {
        if (!firstSeen.has(m)) firstSeen.set(m, Date.now());
        return { event: decodeCloudEvent({ headers: m.message.headers, value: m.message.value }), seenAt: firstSeen.get(m) ?? 0, key: m.message.key?.toString() };
      })
      .filter(({ event }) => event.type === EXPIRED && (event.data as { consentId?: string }).consentId === consentId);

  const once = (consentId: string, timeoutMs = 15_000) =>
    expectEventually(
      () => {
        const found = expiriesOf(consentId);
        expect(found).toHaveLength(1);
        return found[0] as NonNullable<(typeof found)[0]>;
      },
      { timeoutMs },
    );

  /** Chợ Rẫy records, at `service`, the patient's grant (treatment and referral, lab and imaging, any facility) until `validUntil`. */
  const grantUntil = async (service: { base: string }, patient: string, validUntil: Date) =>
    recordConsent(service.base, await facilityHeaders(issuer, CHO_RAY, CONSENT_SCOPES.write), grantBody(patient, { scope: { validUntil: validUntil.toISOString() } }));

  async function replica(): Promise<ServiceProcess> {
    const service = await startConsentReplica(primary);
    replicas.push(service);
    return service;
  }

  beforeAll(async () => {
    // Before the service starts: its relay publishes to consent.v1, which the registry (not the service) creates.
    await provisionTopics(testKafka('consent-expiry-e2e'), [Topics.consentV1], { logger: silentLogger, replicationFactor: 1 });
    primary = await startConsent(issuer, { database: 'consent_expiry_e2e' });
    await seedFacilities(primary.db.url, [{ code: CHO_RAY, level: 'specialised', provinceCode: '79' }]);
    collector = await collectMessages([Topics.consentV1.name], uniqueName('consent-expiry-e2e-reader'));
  });

  afterAll(async () => {
    for (const service of replicas) service.kill();
    await collector?.stop();
    await primary?.stop();
  });

  it('two replicas announce a grant’s end once, within 5 s of it', async () => {
    const other = await replica();
    const patient = await seedPatient(primary.db.url, [CHO_RAY]);
    const endsAt = new Date(Date.now() + 3_000);
    const consentId = await grantUntil(primary, patient, endsAt);

    const expired = await once(consentId);
    expect(expired.seenAt).toBeLessThan(endsAt.getTime() + 5_000);
    expect(expired.key).toBe(patient);
    expect(expired.event.data).toMatchObject({ consentId, version: 1, enterprisePatientId: patient, expiredAt: endsAt.toISOString() });

    // A later end of the same patient (same partition, so after it): once it is in, a repeat of the first would be too.
    const later = await grantUntil(other, patient, new Date(Date.now() + 1_000));
    await once(later);
    expect(expiriesOf(consentId)).toHaveLength(1);

    expect(await Promise.all([primary.service.terminate(), other.terminate()])).toEqual([0, 0]);
  });

  it('a grant that ends while no replica runs is announced once, within 5 s of the next start', async () => {
    expect([primary.service, ...replicas].every((s) => s.child.exitCode !== null)).toBe(true);
    const patient = await seedPatient(primary.db.url, [CHO_RAY]);
    // Recorded while stopped: the rows a grant writes (consent, version 1, its pending end), ending in 2 s.
    const consentId = await withSql(primary.db.url, async (sql) => {
      const { rows } = await sql.query<{ consent_id: string }>(`INSERT INTO consents (consent_id, enterprise_patient_id, original_patient_id, created_at)
         VALUES (gen_random_uuid(), $1, $1, now()) RETURNING consent_id`, [patient]);
      const id = rows[0]?.consent_id;
      await sql.query(
        `INSERT INTO consent_versions (consent_id, version, status, purposes, categories, grantees, valid_from, valid_until, channel, reference,
           document_sha256, recorded_by, recorded_at_facility, recorded_at, informed_of_sensitivity, representative, recorded_by_subject)
         VALUES ($1, 1, 'granted', '{treatment}', '{lab}', '[{"kind":"any-facility"}]', now(), now() + interval '2 seconds', 'in-person', NULL,
           NULL, 'NV-7', $2, now(), true, NULL, $3)`,
        [id, CHO_RAY, `his-${CHO_RAY}`],
      );
      await sql.query(`INSERT INTO consent_expiries (consent_id, version, ends_at) SELECT consent_id, version, valid_until FROM consent_versions WHERE consent_id = $1`, [id]);
      return id as string;
    });
    await expectEventually(
      () => withSql(primary.db.url, async (sql) => expect((await sql.query(`SELECT now() > ends_at AS passed FROM consent_expiries WHERE consent_id = $1`, [consentId])).rows).toEqual([{ passed: true }])),
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(expiriesOf(consentId)).toEqual([]);

    const restarted = await replica();
    const startedAt = Date.now();
    const expired = await once(consentId);
    expect(expired.seenAt).toBeLessThan(startedAt + 5_000);

    const later = await grantUntil(restarted, patient, new Date(Date.now() + 1_000));
    await once(later);
    expect(expiriesOf(consentId)).toHaveLength(1);
    const metrics = await (await fetch(`${restarted.base}/metrics`)).text();
    expect(metrics).toMatch(/^lienthong_consent_expiries_published_total(\{[^}]*\})? [2-9]/m);
  });
});
