import { FacilityChangedV1, Topics } from '@lienthong/contracts';
import { facilityKit } from '../../../../test/fakes/identity-kit.fake';
import { facilityInputSchema, type FacilityInput } from '../../domain/facility';

const thanhNhan = (patch: Partial<FacilityInput> = {}): FacilityInput =>
  facilityInputSchema.parse({
    code: '01925',
    name: 'Bệnh viện Thanh Nhàn',
    provinceCode: '01',
    level: 'basic',
    historicalTier: 'provincial',
    labQualityLevel: '3',
    iso15189Scope: ['GLU'],
    synthetic: true,
    validFrom: '2020-01-01',
    ...patch,
  });

describe('UpsertFacilityUseCase', () => {
  let kit: ReturnType<typeof facilityKit>;
  beforeEach(() => {
    kit = facilityKit();
  });

  it('creates version 1, keeps it in the history and publishes the whole facility keyed by its code', async () => {
    const { facility, outcome } = await kit.upsert.execute(thanhNhan(), 'seed');

    expect(outcome).toBe('created');
    expect(facility).toMatchObject({ code: '01925', version: 1 });
    expect(kit.registry.facilities.get('01925')).toEqual(facility);
    expect(kit.registry.history).toMatchObject([{ code: '01925', version: 1, changedBy: 'seed', snapshot: thanhNhan() }]);
    expect(kit.uow.events()).toEqual([
      {
        topic: Topics.identityFacilityV1.name,
        key: '01925',
        type: FacilityChangedV1.type,
        // Neither the synthetic flag nor the row's timestamp goes on the wire.
        data: {
          code: '01925',
          name: 'Bệnh viện Thanh Nhàn',
          provinceCode: '01',
          level: 'basic',
          historicalTier: 'provincial',
          labQualityLevel: '3',
          iso15189Scope: ['GLU'],
          sensitive: false,
          validFrom: '2020-01-01',
          validTo: null,
          version: 1,
        },
      },
    ]);
  });

  it('a change makes the next version and publishes it', async () => {
    await kit.upsert.execute(thanhNhan(), 'seed');

    const { facility, outcome } = await kit.upsert.execute(thanhNhan({ labQualityLevel: '4', iso15189Scope: ['GLU', 'HBA1C'] }), 'admin-01');

    expect(outcome).toBe('changed');
    expect(facility).toMatchObject({ version: 2, labQualityLevel: '4' });
    expect(kit.registry.history.map((h) => [h.version, h.changedBy])).toEqual([
      [1, 'seed'],
      [2, 'admin-01'],
    ]);
    expect(kit.uow.events().map((e) => e.data['version'])).toEqual([1, 2]);
  });

  it('re-submitting the same facility changes nothing and publishes nothing (the seed runs at every start)', async () => {
    const created = await kit.upsert.execute(thanhNhan(), 'seed');

    const again = await kit.upsert.execute(thanhNhan(), 'seed');

    expect(again).toEqual({ facility: created.facility, outcome: 'unchanged' });
    expect(kit.registry.history).toHaveLength(1);
    expect(kit.uow.events()).toHaveLength(1);
    expect(kit.uow.committed[1]?.writes).toEqual([]);
  });
});
