import {
  cccdDemographicWarnings,
  foldName,
  normalisePhone,
  parseBhytCard,
  parseCccd,
  province2025,
} from '@lienthong/vn-standards';
import { generatePopulation, PopulationGenerator } from './population.generator';

describe('generatePopulation', () => {
  const people = generatePopulation({ seed: 2026, size: 3000 });

  it('is deterministic for a seed', () => {
    expect(generatePopulation({ seed: 2026, size: 50 })).toEqual(people.slice(0, 50));
    expect(generatePopulation({ seed: 2027, size: 50 })).not.toEqual(people.slice(0, 50));
  });

  it('issues valid, unique CCCDs consistent with birth year and sex', () => {
    const withId = people.filter((p) => p.cccd !== undefined);
    expect(withId.length).toBeGreaterThan(2900);
    expect(new Set(withId.map((p) => p.cccd)).size).toBe(withId.length);
    for (const p of withId) {
      const parsed = parseCccd(p.cccd ?? '');
      expect(parsed.ok).toBe(true);
      expect(cccdDemographicWarnings(p.cccd ?? '', { birthYear: p.birthDate.year, sex: p.sex })).toEqual([]);
    }
  });

  it('issues valid BHYT codes and phones, and real province/commune codes', () => {
    for (const p of people) {
      if (p.bhytCode !== undefined) {
        const card = parseBhytCard(p.bhytCode);
        expect(card.ok && card.value.socialInsuranceNumber).toBe(p.socialInsuranceNumber);
      }
      if (p.phone !== undefined) expect(normalisePhone(p.phone)?.kind).toBe('mobile');
      expect(province2025(p.provinceCode)).toBeDefined();
      expect(p.communeCode).toMatch(new RegExp(`^${p.provinceCode}[0-9]{3}$`));
    }
  });

  it('follows the family-name distribution (Nguyễn ≈ 38%)', () => {
    const nguyen = people.filter((p) => p.family === 'Nguyễn').length / people.length;
    expect(nguyen).toBeGreaterThan(0.33);
    expect(nguyen).toBeLessThan(0.43);
  });

  it('uses Văn/Thị mostly for older generations and some year-only birth dates for the elderly', () => {
    const old = people.filter((p) => p.birthDate.year < 1970);
    const young = people.filter((p) => p.birthDate.year >= 2000);
    const traditional = (ps: typeof people): number =>
      ps.filter((p) => p.middle.includes('Văn') || p.middle.includes('Thị')).length / ps.length;
    expect(traditional(old)).toBeGreaterThan(traditional(young) + 0.3);
    expect(old.some((p) => p.birthDate.month === undefined)).toBe(true);
    expect(young.every((p) => p.birthDate.day !== undefined) || young.filter((p) => p.birthDate.day === undefined).length < 5).toBe(true);
  });

  it('writes names in NFC, family first', () => {
    for (const p of people.slice(0, 200)) {
      expect(p.fullName).toBe(p.fullName.normalize('NFC'));
      expect(p.fullName.startsWith(p.family)).toBe(true);
      expect(p.fullName.endsWith(p.given)).toBe(true);
    }
  });
});

describe('hard negatives', () => {
  const gen = new PopulationGenerator({ seed: 11 });
  const base = Array.from({ length: 300 }, () => gen.person());

  it('namesakes share family, given and birth year but not identifiers', () => {
    for (const p of base) {
      const n = gen.namesake(p);
      expect([n.family, n.given, n.birthDate.year]).toEqual([p.family, p.given, p.birthDate.year]);
      expect(n.id).not.toBe(p.id);
      if (n.cccd !== undefined) expect(n.cccd).not.toBe(p.cccd);
    }
  });

  it('twins share birth date, address and household but have different given names', () => {
    for (const p of base) {
      const t = gen.twin(p);
      expect(t.birthDate).toEqual(p.birthDate);
      expect([t.communeCode, t.householdId, t.phone]).toEqual([p.communeCode, p.householdId, p.phone]);
      expect(foldName(t.given)).not.toBe(foldName(p.given));
      if (t.cccd !== undefined && p.cccd !== undefined) expect(t.cccd).not.toBe(p.cccd);
    }
  });
});
