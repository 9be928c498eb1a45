import {
  buildEvent,
  encodeCloudEvent,
  FacilityChangedV1,
  PatientLinkedV1,
  PatientMergedV1,
  PatientRegisteredV1,
  PatientUnmergedV1,
  Topics,
  topicsWithDlq,
  type EncodedRecord,
  type EventDefinition,
} from '@lienthong/contracts';
import { createProducer, InboxTransport, provisionTopics, silentLogger } from '@lienthong/messaging';
import { applyMigrations, UnitOfWork } from '@lienthong/persistence';
import { createService } from '@lienthong/platform';
import { collectMessages, createTestDatabase, createTestIssuer, expectEventually, testKafka, uniqueName, type TestDatabase } from '@lienthong/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Producer } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import { consentConfig } from '../config/consent.config';
import { ConsentModule } from '../consent.module';
import { consentPersistenceOptions } from '../persistence/data-source';
import { CONSENT_CHANGE_CHANNEL } from './adapters/persistence/pg-consent-change.signal';
import { FacilityDirectory } from './ports/facility-directory.port';
import { PatientDirectory } from './ports/patient-directory.port';
import { consentTestEnv } from './testing/consent-test-app';

const PATIENT_TOPIC = Topics.identityPatientV1.name;
const FACILITY_TOPIC = Topics.identityFacilityV1.name;
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

/**
 * identity's events into consent-service, on the real Kafka and Postgres: the service's module with
 * its inbox transport started as bootstrapService starts it, fed CloudEvents published to identity's
 * topics, observed through its tables, its ports and the NOTIFY every replica's cache listens to.
 */
describe('identity events (real Kafka and Postgres)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let producer: Producer;
  let listener: Client;
  let dlq: Awaited<ReturnType<typeof collectMessages>>;
  const group = uniqueName('consent-identity');
  const notified: string[] = [];

  beforeAll(async () => {
    const kafka = testKafka('consent-identity-int');
    await provisionTopics(kafka, topicsWithDlq([Topics.identityPatientV1, Topics.identityFacilityV1, Topics.consentV1]), { logger: silentLogger, replicationFactor: 1 });
    // Just-created topics answer "not the leader" until their leaders are elected.
    await expectEventually(() => positionAtEnd(group, [PATIENT_TOPIC, FACILITY_TOPIC]), { timeoutMs: 30_000, intervalMs: 500 });
    db = await createTestDatabase('consent_identity');
    const env = consentTestEnv(db.url, createTestIssuer(), 'consent_identity', { CONSENT_CONSUMER_GROUP: group, CONSENT_OUTBOX_RELAY: 'false' });
    await applyMigrations(consentPersistenceOptions(consentConfig.load(env)));
    listener = new Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (n) => notified.push(n.payload ?? ''));
    await listener.query(`LISTEN ${CONSENT_CHANGE_CHANNEL}`);

    ({ app } = await createService(ConsentModule, { config: consentConfig, env, logDestination: { write: () => undefined } }));
    app.connectMicroservice({ strategy: app.get(InboxTransport) });
    await app.startAllMicroservices();
    dataSource = app.get(DataSource);
    dlq = await collectMessages([`${PATIENT_TOPIC}.dlq`], uniqueName('consent-identity-dlq'));
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await dlq?.stop();
    await listener?.end();
    await app?.close();
    await db?.drop();
  });

  const record = <D extends EventDefinition>(definition: D, data: unknown): EncodedRecord => {
    const { event, key } = buildEvent(definition, data, { source: '/lienthong/identity-service' });
    return encodeCloudEvent(event, key);
  };
  const registered = (enterprisePatientId: string, facilityCode: string, localId: string) =>
    record(PatientRegisteredV1, { enterprisePatientId, facilityCode, localId, outcome: 'created', sex: 2, birthYear: 1990, provinceCode: '79', identifierSystems: ['cccd'] });
  const linked = (enterprisePatientId: string, facilityCode: string, localId: string) =>
    record(PatientLinkedV1, { enterprisePatientId, facilityCode, localId, method: 'cccd', score: null });
  const publish = (topic: string, messages: EncodedRecord[]) => producer.send({ topic, messages });

  const linksOf = async (enterprisePatientId: string) =>
    (
      await dataSource.query<{ link: string }[]>(
        `SELECT facility_code || '/' || local_id AS link FROM patient_links WHERE enterprise_patient_id = $1 ORDER BY 1`,
        [enterprisePatientId],
      )
    ).map((r) => r.link);
  const consentsOf = async (enterprisePatientId: string) =>
    (await dataSource.query<{ consent_id: string }[]>(`SELECT consent_id FROM consents WHERE enterprise_patient_id = $1 ORDER BY 1`, [enterprisePatientId])).map(
      (r) => r.consent_id,
    );
  const known = (ids: string[]) => app.get(UnitOfWork).read((tx) => app.get(PatientDirectory).known(tx, ids));
  /** Consents recorded for the patient, as the consent use cases would (only the rows a merge moves). */
  const insertConsents = async (enterprisePatientId: string, count: number): Promise<string[]> => {
    const ids = Array.from({ length: count }, () => uuidv4()).sort();
    for (const id of ids) {
      await dataSource.query(`INSERT INTO consents (consent_id, enterprise_patient_id, original_patient_id, created_at) VALUES ($1, $2, $2, now())`, [id, enterprisePatientId]);
    }
    return ids;
  };

  it('knows the patients identity registers or links, with their care relationships; a link identity moves follows', async () => {
    const [p1, p2, stranger] = [uuidv4(), uuidv4(), uuidv4()];
    await publish(PATIENT_TOPIC, [registered(p1, '79001', 'BN-1'), linked(p1, '01902', 'TN-1'), registered(p2, '79001', 'BN-2')]);

    await expectEventually(async () => expect(await known([p1, p2, stranger])).toEqual(new Set([p1, p2])), WAIT);
    await expectEventually(async () => expect(await linksOf(p1)).toEqual(['01902/TN-1', '79001/BN-1']), WAIT);
    await expectEventually(() => expect(notified).toEqual(expect.arrayContaining([p1, p2])), WAIT);

    // identity re-points 79001's local id BN-1 at p2 (a correction at the hospital).
    await publish(PATIENT_TOPIC, [linked(p2, '79001', 'BN-1')]);
    await expectEventually(async () => expect(await linksOf(p2)).toEqual(['79001/BN-1', '79001/BN-2']), WAIT);
    expect(await linksOf(p1)).toEqual(['01902/TN-1']);
  });

  it('keeps the facility registry copy at its newest version: an older event arriving late changes nothing', async () => {
    const code = `9${String(Date.now() % 10_000).padStart(4, '0')}`;
    const facility = (version: number, level: string, provinceCode: string) =>
      record(FacilityChangedV1, {
        code,
        name: 'Trung tâm Y tế khu vực Thử nghiệm',
        provinceCode,
        level,
        historicalTier: 'district',
        labQualityLevel: '1',
        iso15189Scope: [],
        sensitive: false,
        validFrom: '2025-07-01',
        validTo: null,
        version,
      });
    const stored = async () => dataSource.query<{ level: string; province_code: string; version: number }[]>(`SELECT level, province_code, version FROM facilities WHERE code = $1`, [code]);
    const profile = async () => (await app.get(UnitOfWork).read((tx) => app.get(FacilityDirectory).profiles(tx, [code]))).get(code);

    // Same key, same partition: version 1 is read after version 2.
    await publish(FACILITY_TOPIC, [facility(2, 'specialised', '92'), facility(1, 'basic', '01')]);
    await expectEventually(async () => expect(await stored()).toEqual([{ level: 'specialised', province_code: '92', version: 2 }]), WAIT);
    // Version 1 was read too (its partition moved past it): still version 2.
    await expectEventually(async () => expect(await inboxCount(FacilityChangedV1.type)).toBe(2), WAIT);
    expect(await stored()).toEqual([{ level: 'specialised', province_code: '92', version: 2 }]);
    expect(await profile()).toEqual({ code, level: 'specialised', provinceCode: '92' });

    await publish(FACILITY_TOPIC, [facility(3, 'basic', '92')]);
    await expectEventually(async () => expect(await stored()).toEqual([{ level: 'basic', province_code: '92', version: 3 }]), WAIT);
    // This replica read the change itself, so its in-process cache does not hold the old profile.
    expect(await profile()).toEqual({ code, level: 'basic', provinceCode: '92' });
  });

  it("merges move the merged patient's consents and links to the survivor; the unmerge moves back exactly those", async () => {
    const [a, b] = [uuidv4(), uuidv4()];
    await publish(PATIENT_TOPIC, [registered(a, '79001', `A-${a}`), registered(b, '01902', `B-${b}`)]);
    await expectEventually(async () => expect(await known([a, b])).toEqual(new Set([a, b])), WAIT);
    const ofB = await insertConsents(b, 2);
    const ofA = await insertConsents(a, 1);
    const mergeId = uuidv4();
    notified.length = 0;

    await publish(PATIENT_TOPIC, [record(PatientMergedV1, { mergeId, survivorId: a, mergedId: b, movedLinks: [{ facilityCode: '01902', localId: `B-${b}` }] })]);
    await expectEventually(async () => expect(await consentsOf(a)).toEqual([...ofA, ...ofB].sort()), WAIT);
    expect(await consentsOf(b)).toEqual([]);
    expect(await linksOf(a)).toEqual([`01902/B-${b}`, `79001/A-${a}`]);
    expect(await dataSource.query(`SELECT merged_into FROM patients WHERE enterprise_patient_id = $1`, [b])).toEqual([{ merged_into: a }]);
    // Whom each consent was recorded for never changes.
    const originals = await dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM consents WHERE consent_id = ANY($1::uuid[]) AND original_patient_id = $2`, [ofB, b]);
    expect(originals).toEqual([{ n: '2' }]);
    // Every replica is told to forget both patients' cached state.
    await expectEventually(() => expect(notified).toEqual(expect.arrayContaining([a, b])), WAIT);

    // A consent recorded for A after the merge stays with A when the merge is undone.
    const [sinceMerge] = await insertConsents(a, 1);
    notified.length = 0;
    await publish(PATIENT_TOPIC, [record(PatientUnmergedV1, { mergeId, survivorId: a, restoredId: b, restoredLinks: [{ facilityCode: '01902', localId: `B-${b}` }] })]);
    await expectEventually(async () => expect(await consentsOf(b)).toEqual(ofB), WAIT);
    expect(await consentsOf(a)).toEqual([...ofA, sinceMerge].sort());
    expect(await linksOf(b)).toEqual([`01902/B-${b}`]);
    expect(await linksOf(a)).toEqual([`79001/A-${a}`]);
    expect(await dataSource.query(`SELECT merged_into FROM patients WHERE enterprise_patient_id = $1`, [b])).toEqual([{ merged_into: null }]);
    await expectEventually(() => expect(notified).toEqual(expect.arrayContaining([a, b])), WAIT);

    // Audited as consent-service acting on identity's word: ids and counts, nothing else.
    const audit = await dataSource.query<{ action: string; patient_id: string; actor_kind: string; acting_service: string; detail: unknown }[]>(
      `SELECT action, patient_id, actor_kind, acting_service, detail FROM audit_log WHERE detail->>'mergeId' = $1 ORDER BY id`,
      [mergeId],
    );
    expect(audit).toEqual([
      { action: 'consent.merge', patient_id: a, actor_kind: 'service', acting_service: 'consent-service', detail: { mergeId, consents: 2, role: 'survivor' } },
      { action: 'consent.merge', patient_id: b, actor_kind: 'service', acting_service: 'consent-service', detail: { mergeId, consents: 2, role: 'merged' } },
      { action: 'consent.unmerge', patient_id: a, actor_kind: 'service', acting_service: 'consent-service', detail: { mergeId, consents: 2, role: 'survivor' } },
      { action: 'consent.unmerge', patient_id: b, actor_kind: 'service', acting_service: 'consent-service', detail: { mergeId, consents: 2, role: 'restored' } },
    ]);
  });

  it('dead-letters a self-merge, an unknown unmerge and a bad payload with their reasons, and keeps applying what follows', async () => {
    const a = uuidv4();
    await publish(PATIENT_TOPIC, [registered(a, '79001', `A-${a}`)]);
    await expectEventually(async () => expect(await known([a])).toEqual(new Set([a])), WAIT);
    const [mine] = await insertConsents(a, 1);
    const poison = registered(a, '79001', `A-${a}`);

    // All keyed by A, so one partition, in this order.
    await publish(PATIENT_TOPIC, [
      { ...poison, value: Buffer.from(JSON.stringify({ enterprisePatientId: 'not-a-uuid' })) },
      record(PatientMergedV1, { mergeId: uuidv4(), survivorId: a, mergedId: a, movedLinks: [] }),
      record(PatientUnmergedV1, { mergeId: uuidv4(), survivorId: a, restoredId: uuidv4(), restoredLinks: [] }),
      linked(a, '01902', `after-poison-${a}`),
    ]);

    await expectEventually(async () => expect(await linksOf(a)).toEqual([`01902/after-poison-${a}`, `79001/A-${a}`]), WAIT);
    const ours = () => dlq.messages.filter((m) => m.message.headers?.['dlq-consumer']?.toString() === group && m.message.key?.toString() === a);
    await expectEventually(() => expect(ours()).toHaveLength(3), WAIT);
    expect(ours().map((m) => m.message.headers?.['dlq-reason']?.toString())).toEqual(['schema', 'invalid-merge', 'invalid-merge']);
    // The refused merge changed nothing.
    expect(await consentsOf(a)).toEqual([mine]);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM patient_merges WHERE survivor_id = $1`, [a])).toEqual([{ n: 0 }]);
  });

  async function inboxCount(type: string): Promise<number> {
    const [row] = await dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM inbox WHERE consumer = $1 AND event_type = $2`, [group, type]);
    return row?.n ?? 0;
  }
});

/**
 * Positions a new consumer group at the topics' current ends: the service reads exactly what this
 * test publishes, however long its group join takes (the topics are shared and hold other runs' events).
 */
async function positionAtEnd(groupId: string, topics: readonly string[]): Promise<void> {
  const admin = testKafka('consent-identity-int').admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}
