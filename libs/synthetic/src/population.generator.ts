import {
  BIRTH_REGISTRATION_PROVINCE_CODES,
  FAMILY_NAME_SHARES,
  PROVINCES_2025,
  centurySexDigit,
  foldName,
  type PartialDate,
  type Province2025,
  type Sex,
} from '@lienthong/vn-standards';
import { SeededRandom } from './seeded-random';
import { type SyntheticPerson } from './synthetic-person';
import {
  FEMALE_GIVEN_NAMES,
  FEMALE_MIDDLE_NAMES,
  MALE_GIVEN_NAMES,
  MALE_MIDDLE_NAMES,
  OLD_FEMALE_MIDDLE,
  OLD_MALE_MIDDLE,
} from './vietnamese-names.data';

/**
 * Approximate 2025 populations in millions per merged province (press figures, rounded) — only used
 * to make large provinces produce proportionally more people.
 */
const PROVINCE_POPULATION_MILLIONS: Readonly<Record<string, number>> = {
  '01': 8.7, '04': 0.6, '08': 1.9, '11': 0.6, '12': 0.5, '14': 1.3, '15': 1.8, '19': 1.8,
  '20': 0.8, '22': 1.4, '24': 3.6, '25': 4.0, '31': 4.7, '33': 3.6, '37': 4.4, '38': 3.8,
  '40': 3.5, '42': 1.3, '44': 1.9, '46': 1.2, '48': 3.1, '51': 2.2, '52': 3.6, '56': 2.2,
  '66': 3.3, '68': 3.9, '75': 4.5, '79': 14.0, '80': 3.3, '82': 4.4, '86': 4.3, '91': 4.9,
  '92': 4.2, '96': 2.6,
};

const MOBILE_PREFIXES = [
  '090', '091', '093', '094', '096', '097', '098', '032', '033', '034', '035', '036', '037', '038',
  '039', '070', '076', '077', '078', '079', '081', '082', '083', '084', '085', '086', '088', '089',
  '056', '058', '059',
];

const ADULT_BHYT_GROUPS = ['DN', 'GD', 'HN', 'CN', 'HC', 'NO', 'XK', 'TN'];

const unique = (names: readonly string[]): readonly string[] => [...new Set(names)];
const MALE_GIVEN = unique(MALE_GIVEN_NAMES);
const FEMALE_GIVEN = unique(FEMALE_GIVEN_NAMES);

/** Zipf-like popularity: the list is ordered most-common first. */
const zipf = (list: readonly string[]) => (name: string): number => 1 / Math.pow(list.indexOf(name) + 1, 0.9);
const maleGivenWeight = zipf(MALE_GIVEN);
const femaleGivenWeight = zipf(FEMALE_GIVEN);

export interface PopulationOptions {
  readonly seed: number;
  /** Dates are generated up to 31/12 of the year before; ages are relative to it. */
  readonly referenceYear?: number;
}

/**
 * Generates realistic synthetic Vietnamese people. Identifiers (CCCD, social-insurance number,
 * phone) are unique within one generator instance, so all people that should coexist in one
 * dataset must come from the same instance.
 */
export class PopulationGenerator {
  readonly referenceYear: number;
  private readonly rng: SeededRandom;
  private readonly usedCccd = new Set<string>();
  private readonly usedSin = new Set<string>();
  private readonly usedPhones = new Set<string>();
  private nextId = 1;
  private nextHousehold = 1;

  constructor(options: PopulationOptions) {
    this.rng = new SeededRandom(options.seed);
    this.referenceYear = options.referenceYear ?? 2026;
  }

  get random(): SeededRandom {
    return this.rng;
  }

  person(): SyntheticPerson {
    const rng = this.rng;
    const sex: Sex = rng.chance(0.5) ? 'male' : 'female';
    const birthDate = this.birthDate();
    const province = rng.weighted(PROVINCES_2025, (p) => PROVINCE_POPULATION_MILLIONS[p.code] ?? 1);
    const family = this.familyName();
    const middle = this.middleNames(sex, birthDate.year);
    const given = this.givenName(sex, middle);
    return this.assemble({
      family: rng.chance(0.015) ? `${family} ${this.familyName()}` : family,
      middle,
      given,
      sex,
      birthDate,
      province,
      communeCode: this.communeCode(province),
      householdId: this.household(),
      phone: undefined,
    });
  }

  /** A different person sharing family name, given name and birth year (a classic false link). */
  namesake(of: SyntheticPerson): SyntheticPerson {
    const rng = this.rng;
    const province = rng.chance(0.4)
      ? this.provinceOf(of.provinceCode)
      : rng.weighted(PROVINCES_2025, (p) => PROVINCE_POPULATION_MILLIONS[p.code] ?? 1);
    let birthDate: PartialDate = this.dateInYear(of.birthDate.year);
    if (of.birthDate.day === undefined) birthDate = { year: of.birthDate.year };
    return this.assemble({
      family: of.family,
      middle: this.middleNames(of.sex, of.birthDate.year),
      given: of.given,
      sex: of.sex,
      birthDate,
      province,
      communeCode: province.code === of.provinceCode && rng.chance(0.3) ? of.communeCode : this.communeCode(province),
      householdId: this.household(),
      phone: undefined,
    });
  }

  /**
   * A twin: same birth date, family, usually the same middle name, same address and household
   * phone, but a different given name — everything a matcher leans on agrees except the name.
   */
  twin(of: SyntheticPerson): SyntheticPerson {
    const rng = this.rng;
    const sex: Sex = rng.chance(0.5) ? of.sex : of.sex === 'male' ? 'female' : 'male';
    const middle = sex === of.sex && rng.chance(0.7) ? of.middle : this.middleNames(sex, of.birthDate.year);
    let given = this.givenName(sex, middle);
    for (let i = 0; i < 20 && foldName(given) === foldName(of.given); i += 1) given = this.givenName(sex, middle);
    return this.assemble({
      family: of.family,
      middle,
      given,
      sex,
      birthDate: of.birthDate,
      province: this.provinceOf(of.provinceCode),
      communeCode: of.communeCode,
      householdId: of.householdId,
      // Household members share the parents' number, including having none.
      phone: { inherited: of.phone },
    });
  }

  private assemble(p: {
    family: string;
    middle: readonly string[];
    given: string;
    sex: Sex;
    birthDate: PartialDate;
    province: Province2025;
    communeCode: string;
    householdId: string;
    phone: { inherited: string | undefined } | undefined;
  }): SyntheticPerson {
    const rng = this.rng;
    const age = this.referenceYear - p.birthDate.year;
    const registration = rng.chance(0.85)
      ? `0${rng.pick(p.province.formerCodes)}`
      : rng.pick(BIRTH_REGISTRATION_PROVINCE_CODES);
    // Newborns without completed birth registration have no number yet.
    const cccd = age <= 0 && rng.chance(0.3) ? undefined : this.cccd(registration, p.birthDate.year, p.sex);
    const insured = rng.chance(0.92);
    const sin = insured ? this.socialInsuranceNumber(registration.slice(1)) : undefined;
    const phone = p.phone !== undefined ? p.phone.inherited : (age >= 15 ? (rng.chance(0.92) ? this.phone() : undefined) : this.phone());
    const fullName = [p.family, ...p.middle, p.given].join(' ').normalize('NFC');
    return {
      id: `P${String(this.nextId++).padStart(7, '0')}`,
      family: p.family,
      middle: p.middle,
      given: p.given,
      fullName,
      sex: p.sex,
      birthDate: p.birthDate,
      cccd,
      bhytCode: sin === undefined ? undefined : `${this.bhytGroup(age)}${this.benefitLevel(age)}${registration.slice(1)}${sin}`,
      socialInsuranceNumber: sin,
      phone,
      provinceCode: p.province.code,
      communeCode: p.communeCode,
      householdId: p.householdId,
    };
  }

  private provinceOf(code: string): Province2025 {
    return PROVINCES_2025.find((p) => p.code === code) ?? this.rng.pick(PROVINCES_2025);
  }

  private household(): string {
    return `H${String(this.nextHousehold++).padStart(7, '0')}`;
  }

  private familyName(): string {
    return this.rng.weighted(FAMILY_NAME_SHARES, (f) => f.share).name;
  }

  private middleNames(sex: Sex, birthYear: number): string[] {
    const rng = this.rng;
    if (rng.chance(0.03)) return [];
    // "Văn"/"Thị" fade with each generation.
    const traditional = birthYear < 1975 ? 0.75 : birthYear < 1995 ? 0.45 : 0.15;
    if (sex === 'male') {
      return [rng.chance(traditional) ? OLD_MALE_MIDDLE : rng.pick(MALE_MIDDLE_NAMES)];
    }
    if (rng.chance(traditional)) {
      return rng.chance(0.3) ? [OLD_FEMALE_MIDDLE, rng.pick(FEMALE_MIDDLE_NAMES)] : [OLD_FEMALE_MIDDLE];
    }
    return rng.chance(0.15)
      ? [rng.pick(FEMALE_MIDDLE_NAMES), rng.pick(FEMALE_MIDDLE_NAMES)]
      : [rng.pick(FEMALE_MIDDLE_NAMES)];
  }

  private givenName(sex: Sex, middle: readonly string[]): string {
    const list = sex === 'male' ? MALE_GIVEN : FEMALE_GIVEN;
    const weight = sex === 'male' ? maleGivenWeight : femaleGivenWeight;
    let given = this.rng.weighted(list, weight);
    for (let i = 0; i < 5 && middle.includes(given); i += 1) given = this.rng.weighted(list, weight);
    return given;
  }

  private birthDate(): PartialDate {
    const rng = this.rng;
    // Roughly flat to 55, then thinning out to ~100: Vietnam's age pyramid without the detail.
    const ages = Array.from({ length: 101 }, (_, i) => i);
    const age = rng.weighted(ages, (a) => (a < 55 ? 1 : Math.max(0.03, 1 - (a - 55) / 40)));
    const year = this.referenceYear - 1 - age;
    const yearOnly = year < 1950 ? 0.45 : year < 1960 ? 0.2 : year < 1975 ? 0.05 : 0.003;
    return rng.chance(yearOnly) ? { year } : this.dateInYear(year);
  }

  private dateInYear(year: number): PartialDate {
    const start = Date.UTC(year, 0, 1);
    const day = new Date(start + this.rng.int(0, 364) * 86_400_000);
    return { year, month: day.getUTCMonth() + 1, day: day.getUTCDate() };
  }

  private communeCode(province: Province2025): string {
    const communes = Math.max(40, Math.round((PROVINCE_POPULATION_MILLIONS[province.code] ?? 1) * 25));
    return `${province.code}${String(this.rng.int(1, communes)).padStart(3, '0')}`;
  }

  private cccd(registration: string, birthYear: number, sex: Sex): string {
    const prefix = `${registration}${centurySexDigit(birthYear, sex)}${String(birthYear % 100).padStart(2, '0')}`;
    let value = `${prefix}${this.rng.digits(6)}`;
    while (this.usedCccd.has(value)) value = `${prefix}${this.rng.digits(6)}`;
    this.usedCccd.add(value);
    return value;
  }

  private socialInsuranceNumber(province: string): string {
    let value = `${province}${this.rng.digits(8)}`;
    while (this.usedSin.has(value)) value = `${province}${this.rng.digits(8)}`;
    this.usedSin.add(value);
    return value;
  }

  private phone(): string {
    let value = `${this.rng.pick(MOBILE_PREFIXES)}${this.rng.digits(7)}`;
    while (this.usedPhones.has(value)) value = `${this.rng.pick(MOBILE_PREFIXES)}${this.rng.digits(7)}`;
    this.usedPhones.add(value);
    return value;
  }

  private bhytGroup(age: number): string {
    if (age < 6) return 'TE';
    if (age < 18) return 'HS';
    if (age < 23 && this.rng.chance(0.5)) return 'SV';
    if (age >= 60 && this.rng.chance(0.6)) return 'HT';
    return this.rng.pick(ADULT_BHYT_GROUPS);
  }

  private benefitLevel(age: number): number {
    if (age < 6) return 1;
    return this.rng.weighted([2, 3, 4, 5], (l) => (l === 4 ? 6 : 1));
  }
}

export function generatePopulation(options: PopulationOptions & { readonly size: number }): SyntheticPerson[] {
  const generator = new PopulationGenerator(options);
  return Array.from({ length: options.size }, () => generator.person());
}
