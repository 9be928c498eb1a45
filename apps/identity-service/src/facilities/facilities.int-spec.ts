import { decodeCloudEvent, FacilityChangedV1, parseEventData, Topics } from '@lienthong/contracts';
import { collectMessages, expectEventually, uniqueName } from '@lienthong/testing';
import { countRows, createIdentityTestApp, type IdentityTestApp } from '../../test/identity-test-app';
import { FacilitySeeder } from './adapters/seed/facility-seeder';
import { loadSeedFacilities } from './adapters/seed/seed-facilities';
import { facilityInputSchema } from './domain/facility';
import { UpsertFacilityUseCase } from './use-cases/upsert-facility/upsert-facility.use-case';

describe('facility registry (real Postgres + Kafka)', () => {
  let t: IdentityTestApp;
  let collector: Awaited<ReturnType<typeof collectMessages>>;
  const seed = loadSeedFacilities();
  // Kafka topics are shared between runs: follow only this run's changes, by a code no seed uses.
  const code = `9${String(Date.now() % 10_000).padStart(4, '0')}`;

  beforeAll(async () => {
    t = await createIdentityTestApp();
    collector = await collectMessages([Topics.identityFacilityV1.name], uniqueName('facility-int'));
  });

  afterAll(async () => {
    await collector.stop();
    await t.close();
  });

  function eventsFor(facilityCode: string) {
    return collector.messages
      .map((m) => decodeCloudEvent({ headers: m.message.headers, value: m.message.value }))
      .filter((e) => e.subject === facilityCode)
      .map((e) => ({ key: e.subject, type: e.type, data: parseEventData(FacilityChangedV1, e.data) }));
  }

  it('seeds the synthetic registry once: a second run changes and publishes nothing', async () => {
    const seeder = t.app.get(FacilitySeeder);
    expect(await seeder.seed()).toEqual({ created: seed.length, changed: 0, unchanged: 0 });
    expect(await seeder.seed()).toEqual({ created: 0, changed: 0, unchanged: seed.length });
    expect(await countRows(t.dataSource, 'facility_history')).toBe(seed.length);
    const sensitive: { code: string }[] = await t.dataSource.query(`SELECT code FROM facilities WHERE sensitive ORDER BY code`);
    expect(sensitive.map((r) => r.code)).toEqual(['01906', '01907', '79907']);
    const synthetic: { n: string }[] = await t.dataSource.query(`SELECT count(*) AS n FROM facilities WHERE NOT synthetic`);
    expect(Number(synthetic[0]?.n)).toBe(0);
  });

  it('versions every change, keeps the history, and publishes the whole facility keyed by its code', async () => {
    const upsert = t.app.get(UpsertFacilityUseCase);
    const base = {
      code,
      name: 'Trung tâm Y tế khu vực Thử nghiệm',
      provinceCode: '92',
      level: 'basic' as const,
      historicalTier: 'district' as const,
      labQualityLevel: '1' as const,
      iso15189Scope: [],
      sensitive: false,
      synthetic: true,
      validFrom: '2025-07-01',
      validTo: null,
    };
    expect((await upsert.execute(base, 'test')).outcome).toBe('created');
    const upgraded = await upsert.execute({ ...base, labQualityLevel: '3', iso15189Scope: ['GLU', 'HBA1C'] }, 'test');
    expect(upgraded).toMatchObject({ outcome: 'changed', facility: { version: 2, labQualityLevel: '3' } });
    expect((await upsert.execute({ ...base, labQualityLevel: '3', iso15189Scope: ['GLU', 'HBA1C'] }, 'test')).outcome).toBe('unchanged');
    const history: { version: number; snapshot: { labQualityLevel: string } }[] = await t.dataSource.query(
      `SELECT version, snapshot FROM facility_history WHERE code = $1 ORDER BY version`,
      [code],
    );
    expect(history.map((h) => [h.version, h.snapshot.labQualityLevel])).toEqual([
      [1, '1'],
      [2, '3'],
    ]);

    const events = await expectEventually(() => {
      const found = eventsFor(code);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(events.map((e) => [e.key, e.type, e.data.version, e.data.labQualityLevel])).toEqual([
      [code, FacilityChangedV1.type, 1, '1'],
      [code, FacilityChangedV1.type, 2, '3'],
    ]);
    expect(events[1]?.data.iso15189Scope).toEqual(['GLU', 'HBA1C']);
  });

  it('refuses a validity period that ends before it starts (the schema the HTTP layer applies)', () => {
    const result = facilityInputSchema.safeParse({ ...seed[0], validFrom: '2026-01-01', validTo: '2025-01-01' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['validTo']);
  });
});
