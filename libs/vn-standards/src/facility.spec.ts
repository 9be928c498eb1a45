import {
  isFacilityLevel,
  isHistoricalTier,
  labQualityRank,
  parseFacilityCode,
  parseLabQualityLevel,
} from './facility';
import { currentProvinceForFormerCode, PROVINCES_2025, province2025 } from './provinces';

describe('parseFacilityCode', () => {
  it('reads the old province from the first two characters', () => {
    const r = parseFacilityCode('79024');
    expect(r.ok && r.value).toMatchObject({ formerProvinceCode: '79', formerProvinceName: 'Hồ Chí Minh', suffix: '024' });
  });
  it('recognises the province + 000 temporary-card placeholder', () => {
    const r = parseFacilityCode('01000');
    expect(r.ok && r.value.isProvincePlaceholder).toBe(true);
  });
  it.each(['1001', '010011', 'AB001'])('rejects malformed %s', (input) => {
    expect(parseFacilityCode(input)).toMatchObject({ ok: false, errors: [{ rule: 'format' }] });
  });
  it('rejects unknown province prefixes', () => {
    expect(parseFacilityCode('99001')).toMatchObject({ ok: false, errors: [{ rule: 'province-code' }] });
  });
});

describe('2025 provinces', () => {
  it('has 34 units absorbing all 63 former provinces exactly once', () => {
    expect(PROVINCES_2025).toHaveLength(34);
    const former = PROVINCES_2025.flatMap((p) => p.formerCodes);
    expect(new Set(former).size).toBe(63);
    expect(former).toHaveLength(63);
  });
  it('maps former provinces to the merged one', () => {
    expect(currentProvinceForFormerCode('74')?.name).toBe('Hồ Chí Minh');
    expect(currentProvinceForFormerCode('02')?.code).toBe('08');
    expect(province2025('46')?.name).toBe('Huế');
    expect(province2025('02')).toBeUndefined();
  });
});

describe('levels', () => {
  it('knows levels of care and historical tiers', () => {
    expect(isFacilityLevel('specialised')).toBe(true);
    expect(isFacilityLevel('district')).toBe(false);
    expect(isHistoricalTier('district')).toBe(true);
  });
  it('parses Decision 2429 lab levels', () => {
    expect(parseLabQualityLevel('unrated')).toBe('unrated');
    expect(parseLabQualityLevel('3')).toBe(3);
    expect(parseLabQualityLevel(6)).toBeUndefined();
    expect(labQualityRank('unrated')).toBeLessThan(labQualityRank(1));
  });
});
