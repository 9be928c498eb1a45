import { decodeCloudEvent, Topics } from '@lienthong/contracts';
import { provisionTopics, silentLogger } from '@lienthong/messaging';
import {
  collectMessages,
  createTestDatabase,
  createTestIssuer,
  expectEventually,
  runNodeScript,
  startServiceProcess,
  testInfra,
  testKafka,
  uniqueName,
  type CollectedMessage,
  type ServiceProcess,
  type TestDatabase,
} from '@lienthong/testing';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/*
 * The expiry job of the built service, as deployed: two replicas polling one database announce a
 * grant's end once; a grant whose end passes while no replica runs is announced once, within seconds
 * of the next start.
 */
const DIST = join(__dirname, '../../../dist/apps/consent-service');
const MAIN = join(DIST, 'main.js');
const CHO_RAY = '79001';
const EXPIRED = 'vn.lienthong.consent.consent.expired';

describe('consent expiry (built service, two replicas, a restart)', () => {
  const issuer = createTestIssuer();
  let db: TestDatabase;
  let sql: Client;
  let env: Record<string, string>;
  let collector: Awaited<ReturnType<typeof collectMessages>>;
  const running: ServiceProcess[] = [];
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

  async function start(): Promise<ServiceProcess> {
    const service = await startServiceProcess(MAIN, { ...env, KAFKA_CLIENT_ID: uniqueName('consent-expiry-e2e') });
    running.push(service);
    return service;
  }

  /** POST /v1/consents at `service`: Chợ Rẫy records the patient's grant of treatment data to any facility until `validUntil`. */
  async function grantUntil(service: ServiceProcess, patient: string, validUntil: Date): Promise<string> {
    const response = await fetch(`${service.base}/v1/consents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await issuer.sign({ facility: CHO_RAY, scope: 'system/Consent.c', sub: `his-${CHO_RAY}` })}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        enterprisePatientId: patient,
        decision: 'grant',
        scope: { purposes: ['treatment'], categories: ['lab'], grantees: [{ kind: 'any-facility' }], validUntil: validUntil.toISOString() },
        evidence: { channel: 'in-person', recordedBy: 'NV-7', informedOfSensitivity: true },
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { consentId: string }).consentId;
  }

  async function knownPatient(): Promise<string> {
    const id = randomUUID();
    await sql.query(`INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES ($1, NULL, now())`, [id]);
    return id;
  }

  beforeAll(async () => {
    expect(existsSync(MAIN)).toBe(true);
    db = await createTestDatabase('consent_expiry_e2e');
    const infra = testInfra();
    env = {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      REDIS_URL: infra.redisUrl,
      AUTH_PUBLIC_KEY: issuer.publicKeyPem,
      AUTH_ISSUER: issuer.issuer,
      AUTH_AUDIENCE: issuer.audience,
      CONSENT_CONSUMER_GROUP: uniqueName('consent-expiry-e2e'),
      SHUTDOWN_TIMEOUT_MS: '10000',
    };
    await runNodeScript(join(DIST, 'migrate.js'), env);
    await provisionTopics(testKafka('consent-expiry-e2e'), [Topics.consentV1], { logger: silentLogger, replicationFactor: 1 });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`INSERT INTO facilities (code, level, province_code, sensitive, version) VALUES ($1, 'specialised', '79', false, 1)`, [CHO_RAY]);
    collector = await collectMessages([Topics.consentV1.name], uniqueName('consent-expiry-e2e-reader'));
  });

  afterAll(async () => {
    for (const service of running) service.kill();
    await collector?.stop();
    await sql?.end();
    await db?.drop();
  });

  it('two replicas announce a grant’s end once, within 5 s of it', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const patient = await knownPatient();
    const endsAt = new Date(Date.now() + 3_000);
    const consentId = await grantUntil(a, patient, endsAt);

    const expired = await once(consentId);
    expect(expired.seenAt).toBeLessThan(endsAt.getTime() + 5_000);
    expect(expired.key).toBe(patient);
    expect(expired.event.data).toMatchObject({ consentId, version: 1, enterprisePatientId: patient, expiredAt: endsAt.toISOString() });

    // A later end of the same patient (same partition, so after it): once it is in, a repeat of the first would be too.
    const later = await grantUntil(b, patient, new Date(Date.now() + 1_000));
    await once(later);
    expect(expiriesOf(consentId)).toHaveLength(1);

    expect(await Promise.all([a.terminate(), b.terminate()])).toEqual([0, 0]);
  });

  it('a grant that ends while no replica runs is announced once, within 5 s of the next start', async () => {
    expect(running.every((s) => s.child.exitCode !== null)).toBe(true);
    const patient = await knownPatient();
    // Recorded while stopped: the rows a grant writes (consent, version 1, its pending end), ending in 2 s.
    const consentId = randomUUID();
    await sql.query(`INSERT INTO consents (consent_id, enterprise_patient_id, original_patient_id, created_at) VALUES ($1, $2, $2, now())`, [consentId, patient]);
    await sql.query(
      `INSERT INTO consent_versions (consent_id, version, status, purposes, categories, grantees, valid_from, valid_until, channel, reference,
         document_sha256, recorded_by, recorded_at_facility, recorded_at, informed_of_sensitivity, representative, recorded_by_subject)
       VALUES ($1, 1, 'granted', '{treatment}', '{lab}', '[{"kind":"any-facility"}]', now(), now() + interval '2 seconds', 'in-person', NULL,
         NULL, 'NV-7', $2, now(), true, NULL, $3)`,
      [consentId, CHO_RAY, `his-${CHO_RAY}`],
    );
    await sql.query(`INSERT INTO consent_expiries (consent_id, version, ends_at) SELECT consent_id, version, valid_until FROM consent_versions WHERE consent_id = $1`, [consentId]);
    await expectEventually(async () => {
      const { rows } = await sql.query<{ passed: boolean }>(`SELECT now() > ends_at AS passed FROM consent_expiries WHERE consent_id = $1`, [consentId]);
      expect(rows).toEqual([{ passed: true }]);
    }, { timeoutMs: 10_000, intervalMs: 200 });
    expect(expiriesOf(consentId)).toEqual([]);

    const service = await start();
    const startedAt = Date.now();
    const expired = await once(consentId);
    expect(expired.seenAt).toBeLessThan(startedAt + 5_000);

    const later = await grantUntil(service, patient, new Date(Date.now() + 1_000));
    await once(later);
    expect(expiriesOf(consentId)).toHaveLength(1);
    const metrics = await (await fetch(`${service.base}/metrics`)).text();
    expect(metrics).toMatch(/^lienthong_consent_expiries_published_total(\{[^}]*\})? [2-9]/m);
  });
});
