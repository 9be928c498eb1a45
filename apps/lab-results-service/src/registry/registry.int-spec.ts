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
import { collectMessages, createTestDatabase, createTestIssuer, expectEventually, testInfra, testKafka, uniqueName, type TestDatabase } from '@lienthong/testing';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import { labResultsConfig } from '../config/lab-results.config';
import { LabResultsModule } from '../lab-results.module';
import { labResultsPersistenceOptions } from '../persistence/data-source';
import { FacilityLabs } from './ports/facility-labs.port';
import { PatientLinks } from './ports/patient-links.port';

const PATIENT_TOPIC = Topics.identityPatientV1.name;
const FACILITY_TOPIC = Topics.identityFacilityV1.name;
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };

/**
 * identity's events into lab-results-service's registry, on the real Kafka and Postgres: the service's
 * module with its inbox transport started as bootstrapService starts it, fed CloudEvents published to
 * identity's topics, observed through the registry's ports (what the reuse check asks) and its tables.
 */
describe('registry: identity events (real Kafka and Postgres)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let producer: Producer;
  let dlq: Awaited<ReturnType<typeof collectMessages>>;
  const group = uniqueName('lab-registry');

  beforeAll(async () => {
    const kafka = testKafka('lab-registry-int');
    await provisionTopics(kafka, topicsWithDlq([Topics.identityPatientV1, Topics.identityFacilityV1]), { logger: silentLogger, replicationFactor: 1 });
    // Just-created topics answer "not the leader" until their leaders are elected.
    await expectEventually(() => positionAtEnd(group, [PATIENT_TOPIC, FACILITY_TOPIC]), { timeoutMs: 30_000, intervalMs: 500 });
    db = await createTestDatabase('lab_registry');
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      REDIS_URL: testInfra().redisUrl,
      AUTH_PUBLIC_KEY: createTestIssuer().publicKeyPem,
      LAB_CONSUMER_GROUP: group,
      LAB_OUTBOX_RELAY: 'false',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    };
    await applyMigrations(labResultsPersistenceOptions(labResultsConfig.load(env)));
    ({ app } = await createService(LabResultsModule, { config: labResultsConfig, env, logDestination: { write: () => undefined } }));
    app.connectMicroservice({ strategy: app.get(InboxTransport) });
    await app.startAllMicroservices();
    dataSource = app.get(DataSource);
    dlq = await collectMessages([`${PATIENT_TOPIC}.dlq`], uniqueName('lab-registry-dlq'));
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await dlq?.stop();
    await app?.close();
    await db?.drop();
  });

  /** The event's CloudEvents id (the inbox's key) and its Kafka record. */
  const identified = <D extends EventDefinition>(definition: D, data: unknown): { id: string; record: EncodedRecord } => {
    const { event, key } = buildEvent(definition, data, { source: '/lienthong/identity-service' });
    return { id: event.id, record: encodeCloudEvent(event, key) };
  };
  const record = <D extends EventDefinition>(definition: D, data: unknown): EncodedRecord => identified(definition, data).record;
  const registered = (enterprisePatientId: string, facilityCode: string, localId: string) =>
    record(PatientRegisteredV1, { enterprisePatientId, facilityCode, localId, outcome: 'created', sex: 2, birthYear: 1990, provinceCode: '79', identifierSystems: ['cccd'] });
  const linked = (enterprisePatientId: string, facilityCode: string, localId: string) =>
    record(PatientLinkedV1, { enterprisePatientId, facilityCode, localId, method: 'cccd', score: null });
  const publish = (topic: string, messages: EncodedRecord[]) => producer.send({ topic, messages });

  const uow = () => app.get(UnitOfWork);
  const links = () => app.get(PatientLinks);
  const hasLink = (patient: string, facility: string) => uow().read((tx) => links().hasLink(tx, patient, facility));
  const resolve = (patient: string) => uow().read((tx) => links().resolve(tx, patient));
  const known = (ids: string[]) => uow().read((tx) => links().known(tx, ids));
  const linksOf = async (enterprisePatientId: string) =>
    (
      await dataSource.query<{ link: string }[]>(`SELECT facility_code || '/' || local_id AS link FROM patient_links WHERE enterprise_patient_id = $1 ORDER BY 1`, [
        enterprisePatientId,
      ])
    ).map((r) => r.link);

  it('has a schema identical to the entities (generating a migration yields nothing)', async () => {
    const log = await dataSource.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((q) => q.query)).toEqual([]);
  });

  it("keeps each facility's lab at its newest version: an older event read late changes nothing, the profile follows a newer one", async () => {
    const code = `9${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    const facility = (version: number, labQualityLevel: string, iso15189Scope: string[]) =>
      identified(FacilityChangedV1, {
        code,
        name: 'Trung tâm Y tế khu vực Thử nghiệm',
        provinceCode: '79',
        level: 'basic',
        historicalTier: 'district',
        labQualityLevel,
        iso15189Scope,
        sensitive: false,
        validFrom: '2025-07-01',
        validTo: null,
        version,
      });
    const profile = async () => (await uow().read((tx) => app.get(FacilityLabs).profiles(tx, [code, '99999']))).get(code);

    // Same key, same partition: version 1 is read after version 2.
    const [v2, v1] = [facility(2, '3', ['GLU', 'HBA1C']), facility(1, 'unrated', [])];
    await publish(FACILITY_TOPIC, [v2.record, v1.record]);
    // Both applied (other tests may publish to the shared topic meanwhile: only these two are counted).
    await expectEventually(async () => expect(await applied([v2.id, v1.id])).toBe(2), WAIT);
    expect(await profile()).toEqual({ code, level: 'basic', provinceCode: '79', labQualityLevel: 3, iso15189Scope: ['GLU', 'HBA1C'], sensitive: false });

    await publish(FACILITY_TOPIC, [facility(3, '1', []).record]);
    // This replica read the change itself, so its in-process cache does not hold the old profile.
    await expectEventually(async () => expect(await profile()).toMatchObject({ labQualityLevel: 1, iso15189Scope: [] }), WAIT);
  });

  it('knows the patients identity registers or links and where each is registered; a link identity moves follows', async () => {
    const [p1, p2, stranger] = [uuidv4(), uuidv4(), uuidv4()];
    await publish(PATIENT_TOPIC, [registered(p1, '79001', `BN-${p1}`), linked(p1, '79901', `CR-${p1}`), registered(p2, '79001', `BN-${p2}`)]);

    await expectEventually(async () => expect(await linksOf(p1)).toEqual([`79001/BN-${p1}`, `79901/CR-${p1}`]), WAIT);
    await expectEventually(async () => expect(await known([p1, p2, stranger])).toEqual(new Set([p1, p2])), WAIT);
    expect(await hasLink(p1, '79901')).toBe(true);
    expect(await hasLink(p2, '79901')).toBe(false);
    expect(await uow().read((tx) => links().findByLocalId(tx, { facilityCode: '79901', localId: `CR-${p1}` }))).toBe(p1);
    // An id not announced (or not even a UUID) is itself, with no links.
    expect(await resolve(stranger)).toBe(stranger);
    expect(await hasLink('not-a-uuid', '79001')).toBe(false);

    // identity re-points 79001's local id of p1 at p2 (a correction at the hospital).
    await publish(PATIENT_TOPIC, [linked(p2, '79001', `BN-${p1}`)]);
    await expectEventually(async () => expect(await linksOf(p2)).toEqual([`79001/BN-${p1}`, `79001/BN-${p2}`].sort()), WAIT);
    expect(await linksOf(p1)).toEqual([`79901/CR-${p1}`]);
  });

  it("merges give the merged patient's results and links to the survivor (a check with either id finds them); the unmerge gives back exactly those", async () => {
    const [a, b] = [uuidv4(), uuidv4()];
    await publish(PATIENT_TOPIC, [registered(a, '79901', `A-${a}`), registered(b, '79001', `B-${b}`)]);
    await expectEventually(async () => expect(await known([a, b])).toEqual(new Set([a, b])), WAIT);
    const ofB = await insertResults(b, 2);
    const ofA = await insertResults(a, 1);
    const mergeId = uuidv4();

    await publish(PATIENT_TOPIC, [record(PatientMergedV1, { mergeId, survivorId: a, mergedId: b, movedLinks: [{ facilityCode: '79001', localId: `B-${b}` }] })]);
    await expectEventually(async () => expect(await resolve(b)).toBe(a), WAIT);
    expect(await resultsOf(a)).toEqual([...ofA, ...ofB].sort());
    expect(await resultsOf(b)).toEqual([]);
    expect(await linksOf(a)).toEqual([`79001/B-${b}`, `79901/A-${a}`]);
    expect(await hasLink(b, '79901')).toBe(true);
    // A link event of b read after the merge belongs to the survivor.
    await publish(PATIENT_TOPIC, [linked(b, '01901', `late-${b}`)]);
    await expectEventually(async () => expect(await linksOf(a)).toContain(`01901/late-${b}`), WAIT);

    // A result stored for the survivor while merged stays with it when the merge is undone.
    const [sinceMerge = ''] = await insertResults(a, 1);
    await publish(PATIENT_TOPIC, [record(PatientUnmergedV1, { mergeId, survivorId: a, restoredId: b, restoredLinks: [{ facilityCode: '79001', localId: `B-${b}` }] })]);
    await expectEventually(async () => expect(await resolve(b)).toBe(b), WAIT);
    expect(await resultsOf(b)).toEqual(ofB);
    expect(await resultsOf(a)).toEqual([...ofA, sinceMerge].sort());
    expect(await linksOf(b)).toEqual([`79001/B-${b}`]);
    expect(await hasLink(b, '79901')).toBe(false);

    // Audited as lab-results-service acting on identity's word: ids and counts, nothing else.
    const audit = await dataSource.query<{ action: string; patient_id: string; actor_kind: string; acting_service: string; detail: unknown }[]>(
      `SELECT action, patient_id, actor_kind, acting_service, detail FROM audit_log WHERE detail->>'mergeId' = $1 ORDER BY id`,
      [mergeId],
    );
    expect(audit).toEqual([
      { action: 'patient.merge', patient_id: a, actor_kind: 'service', acting_service: 'lab-results-service', detail: { mergeId, results: 2, role: 'survivor' } },
      { action: 'patient.merge', patient_id: b, actor_kind: 'service', acting_service: 'lab-results-service', detail: { mergeId, results: 2, role: 'merged' } },
      { action: 'patient.unmerge', patient_id: a, actor_kind: 'service', acting_service: 'lab-results-service', detail: { mergeId, results: 2, role: 'survivor' } },
      { action: 'patient.unmerge', patient_id: b, actor_kind: 'service', acting_service: 'lab-results-service', detail: { mergeId, results: 2, role: 'restored' } },
    ]);
  });

  it('dead-letters a bad payload, a self-merge and an unknown unmerge with their reasons, and keeps applying what follows', async () => {
    const a = uuidv4();
    await publish(PATIENT_TOPIC, [registered(a, '79001', `A-${a}`)]);
    await expectEventually(async () => expect(await known([a])).toEqual(new Set([a])), WAIT);
    const poison = registered(a, '79001', `A-${a}`);

    // All keyed by A, so one partition, in this order.
    await publish(PATIENT_TOPIC, [
      { ...poison, value: Buffer.from(JSON.stringify({ enterprisePatientId: 'not-a-uuid' })) },
      record(PatientMergedV1, { mergeId: uuidv4(), survivorId: a, mergedId: a, movedLinks: [] }),
      record(PatientUnmergedV1, { mergeId: uuidv4(), survivorId: a, restoredId: uuidv4(), restoredLinks: [] }),
      linked(a, '79901', `after-poison-${a}`),
    ]);

    await expectEventually(async () => expect(await linksOf(a)).toEqual([`79001/A-${a}`, `79901/after-poison-${a}`]), WAIT);
    const ours = () => dlq.messages.filter((m) => m.message.headers?.['dlq-consumer']?.toString() === group && m.message.key?.toString() === a);
    await expectEventually(() => expect(ours()).toHaveLength(3), WAIT);
    expect(ours().map((m) => m.message.headers?.['dlq-reason']?.toString())).toEqual(['schema', 'invalid-merge', 'invalid-merge']);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM patient_merges WHERE survivor_id = $1`, [a])).toEqual([{ n: 0 }]);
  });

  /** Results stored for the patient, as the ingest would (only the columns a merge reads and moves matter here). */
  async function insertResults(enterprisePatientId: string, count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => uuidv4()).sort();
    for (const id of ids) {
      await dataSource.query(
        `INSERT INTO lab_results (result_id, facility_code, ma_lk, line_key, enterprise_patient_id, catalogue_code, version, status, content_hash, result, updated_at)
         VALUES ($1, '79001', $2, 'GLU.1', $3, 'GLU', 1, 'final', repeat('0', 64), '{}'::jsonb, now())`,
        [id, `LK-${id}`, enterprisePatientId],
      );
    }
    return ids;
  }

  async function resultsOf(enterprisePatientId: string): Promise<string[]> {
    const rows = await dataSource.query<{ result_id: string }[]>(`SELECT result_id FROM lab_results WHERE enterprise_patient_id = $1 ORDER BY 1`, [enterprisePatientId]);
    return rows.map((r) => r.result_id);
  }

  /** How many of these events the consumer has applied (recorded in its inbox). */
  async function applied(eventIds: readonly string[]): Promise<number> {
    const [row] = await dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM inbox WHERE consumer = $1 AND event_id = ANY($2::text[])`, [group, eventIds]);
    return row?.n ?? 0;
  }
});

/**
 * Positions a new consumer group at the topics' current ends: the service reads exactly what this
 * test publishes, however long its group join takes (the topics are shared and hold other runs' events).
 */
async function positionAtEnd(groupId: string, topics: readonly string[]): Promise<void> {
  const admin = testKafka('lab-registry-int').admin();
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
