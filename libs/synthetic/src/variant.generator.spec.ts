import { foldName, nameTokenKey, stripDiacritics } from '@lienthong/vn-standards';
import { PopulationGenerator } from './population.generator';
import { SeededRandom } from './seeded-random';
import { type SyntheticPerson } from './synthetic-person';
import { exactRecord, makeVariant, newbornPlaceholderRecord, type NoiseType } from './variant.generator';

const person: SyntheticPerson = {
  id: 'P0000001',
  family: 'Huỳnh',
  middle: ['Thị', 'Thu'],
  given: 'Hà',
  fullName: 'Huỳnh Thị Thu Hà',
  sex: 'female',
  birthDate: { year: 1987, month: 4, day: 9 },
  cccd: '079187123456',
  bhytCode: 'GD4797912345678',
  socialInsuranceNumber: '7912345678',
  phone: '0912345678',
  provinceCode: '79',
  communeCode: '79042',
  householdId: 'H0000001',
};

const only = (noise: NoiseType, seed = 1) =>
  makeVariant(person, new SeededRandom(seed), { forceNoises: [noise], noiseCount: [1, 1], presence: { phone: 1, bhyt: 1, commune: 1, sex: 1, cccd: 1 } });

describe('makeVariant', () => {
  it('is deterministic for an RNG seed', () => {
    expect(makeVariant(person, new SeededRandom(3))).toEqual(makeVariant(person, new SeededRandom(3)));
  });

  it('applies each noise type as described', () => {
    expect(only('no-diacritics').record.name).toBe('Huynh Thi Thu Ha');
    expect(only('upper-case').record.name).toBe('HUỲNH THỊ THU HÀ');
    expect(only('nfd').record.name).toBe('Huỳnh Thị Thu Hà'.normalize('NFD'));
    expect(only('nfd').record.name).not.toBe(person.fullName);
    expect(only('dropped-middle-name').record.name).toBe('Huỳnh Hà');
    expect(nameTokenKey(only('swapped-token-order').record.name)).toBe(nameTokenKey(person.fullName));
    expect(only('swapped-token-order').record.name).not.toBe(person.fullName);
    expect(only('missing-cccd').record.cccd).toBeUndefined();
    expect(only('year-only-birth-date').record.birthDate).toEqual({ year: 1987 });
    expect(only('day-month-transposed').record.birthDate).toEqual({ year: 1987, month: 9, day: 4 });
    expect(only('changed-phone').record.phone).not.toBe(person.phone);
    expect(only('family-name-variant').record.name).toBe('Hoàng Thị Thu Hà');
    expect(only('moved-commune').record.communeCode).toMatch(/^79[0-9]{3}$/);
  });

  it('makes one-character typos in the given name only', () => {
    for (let seed = 1; seed < 40; seed += 1) {
      const name = only('given-name-typo', seed).record.name;
      expect(name.startsWith('Huỳnh Thị Thu ')).toBe(true);
      const given = foldName(name).split(' ').at(-1) ?? '';
      expect(given).not.toBe('');
      expect(Math.abs(given.length - 2)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the person recognisable: same social-insurance number when the card is recorded', () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const v = makeVariant(person, new SeededRandom(seed), { presence: { bhyt: 1 } });
      expect(v.record.bhytCode?.endsWith('7912345678')).toBe(true);
      expect(v.noises.length).toBeGreaterThanOrEqual(1);
      expect(v.noises.length).toBeLessThanOrEqual(3);
    }
  });

  it('skips noise that cannot apply', () => {
    const gen = new PopulationGenerator({ seed: 1 });
    const p = { ...gen.person(), middle: [], birthDate: { year: 1940 }, family: 'Nguyễn' };
    const v = makeVariant(p, new SeededRandom(1), {
      forceNoises: ['dropped-middle-name', 'year-only-birth-date', 'family-name-variant'],
      noiseCount: [0, 0],
    });
    expect(v.noises).toEqual([]);
  });

  it('builds exact and newborn-placeholder records', () => {
    expect(exactRecord(person).name).toBe(person.fullName);
    const placeholder = newbornPlaceholderRecord(person, 'Nguyễn Thị Lan');
    expect(placeholder.name).toBe('Con bà Nguyễn Thị Lan');
    expect(placeholder.cccd).toBeUndefined();
    expect(stripDiacritics(placeholder.name)).toBe('Con ba Nguyen Thi Lan');
  });
});
