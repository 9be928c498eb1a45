import { facilityKit } from '../../../../test/fakes/identity-kit.fake';
import { type Facility } from '../../domain/facility';

function facility(code: string, provinceCode: string, level: Facility['level']): Facility {
  return {
    code,
    name: `Cơ sở ${code}`,
    provinceCode,
    level,
    historicalTier: level === 'initial' ? 'commune' : 'provincial',
    labQualityLevel: 'unrated',
    iso15189Scope: [],
    sensitive: false,
    synthetic: true,
    validFrom: '2020-01-01',
    validTo: null,
    version: 1,
    updatedAt: new Date('2026-01-01T00:00:00Z'),
  };
}

describe('ListFacilitiesUseCase', () => {
  const kit = facilityKit();
  for (const f of [facility('01925', '01', 'basic'), facility('01001', '01', 'initial'), facility('01901', '01', 'specialised'), facility('79001', '79', 'initial'), facility('01002', '01', 'initial')]) {
    kit.registry.facilities.set(f.code, f);
  }

  it('pages by code, with the last code of a page as the cursor', async () => {
    const first = await kit.list.execute({ provinceCode: '01', limit: 3 });
    expect(first.items.map((f) => f.code)).toEqual(['01001', '01002', '01901']);
    expect(first.nextCursor).toBe('01901');

    const last = await kit.list.execute({ provinceCode: '01', after: first.nextCursor ?? undefined, limit: 3 });
    expect(last.items.map((f) => f.code)).toEqual(['01925']);
    expect(last.nextCursor).toBeNull();
  });

  it('filters by province and level', async () => {
    const { items, nextCursor } = await kit.list.execute({ level: 'initial', limit: 10 });
    expect(items.map((f) => f.code)).toEqual(['01001', '01002', '79001']);
    expect(nextCursor).toBeNull();
  });
});
