import { stripDiacritics, type PartialDate } from '@lienthong/vn-standards';
import { type SeededRandom } from './seeded-random';
import { type ObservedPatientRecord, type SyntheticPerson } from './synthetic-person';

/** Realistic ways another facility's record of the same person differs (VN-STANDARDS §8). */
export const NOISE_TYPES = [
  'no-diacritics',
  'upper-case',
  'nfd',
  'dropped-middle-name',
  'swapped-token-order',
  'given-name-typo',
  'missing-cccd',
  'year-only-birth-date',
  'day-month-transposed',
  'changed-phone',
  'family-name-variant',
  'moved-commune',
] as const;
export type NoiseType = (typeof NOISE_TYPES)[number];

/**
 * Relative frequency of each noise type among noisy records. An assumption, not a measurement:
 * encoding/case differences dominate real hospital data, typing slips and Western order are rarer.
 * Kept explicit so benchmark results can be read against it (and re-run with other weights).
 */
export const DEFAULT_NOISE_WEIGHTS: Readonly<Record<NoiseType, number>> = {
  'no-diacritics': 3,
  'upper-case': 3,
  nfd: 1,
  'dropped-middle-name': 2,
  'swapped-token-order': 0.5,
  'given-name-typo': 1,
  'missing-cccd': 2,
  'year-only-birth-date': 1,
  'day-month-transposed': 0.5,
  'changed-phone': 2,
  'family-name-variant': 1,
  'moved-commune': 1.5,
};

const FAMILY_VARIANTS: Readonly<Record<string, string>> = { Hoàng: 'Huỳnh', Huỳnh: 'Hoàng', Vũ: 'Võ', Võ: 'Vũ' };

/** Letters next to each other on a QWERTY keyboard: the usual typing slip. */
const KEY_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'qsz', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl',
  l: 'k', m: 'n', n: 'bm', o: 'ip', p: 'o', q: 'wa', r: 'et', s: 'ad', t: 'ry', u: 'yi', v: 'cb',
  w: 'qe', x: 'zc', y: 'tu', z: 'x',
};

export interface VariantOptions {
  /** How many noise types to apply (inclusive range); defaults to 1–3. */
  readonly noiseCount?: readonly [number, number];
  /** Noise types always applied (when applicable to the person). */
  readonly forceNoises?: readonly NoiseType[];
  /** Probability that a field present in the truth is also recorded by the facility. */
  readonly presence?: Partial<Record<'phone' | 'bhyt' | 'commune' | 'sex' | 'cccd', number>>;
  /** Relative frequency of noise types; defaults to DEFAULT_NOISE_WEIGHTS. */
  readonly noiseWeights?: Readonly<Record<NoiseType, number>>;
}

export interface GeneratedVariant {
  readonly record: ObservedPatientRecord;
  readonly noises: readonly NoiseType[];
}

const DEFAULT_PRESENCE = { phone: 0.75, bhyt: 0.75, commune: 0.9, sex: 0.99, cccd: 0.6 };

function applicable(person: SyntheticPerson, noise: NoiseType): boolean {
  switch (noise) {
    case 'dropped-middle-name':
      return person.middle.length > 0;
    case 'year-only-birth-date':
      return person.birthDate.month !== undefined;
    case 'day-month-transposed': {
      const { month, day } = person.birthDate;
      return month !== undefined && day !== undefined && day <= 12 && day !== month;
    }
    case 'changed-phone':
      return person.phone !== undefined;
    case 'family-name-variant':
      return FAMILY_VARIANTS[person.family] !== undefined;
    case 'missing-cccd':
      return person.cccd !== undefined;
    case 'no-diacritics':
    case 'upper-case':
    case 'nfd':
    case 'swapped-token-order':
    case 'given-name-typo':
    case 'moved-commune':
      return true;
  }
}

function typo(rng: SeededRandom, given: string): string {
  const chars = [...given.normalize('NFC')];
  const at = rng.int(0, chars.length - 1);
  const op = chars.length > 2 ? rng.int(0, 3) : rng.pick([0, 2]);
  const base = stripDiacritics(chars[at] ?? 'a').toLowerCase();
  const replacement = rng.pick([...(KEY_NEIGHBOURS[base] ?? 'a')]);
  if (op === 0) chars[at] = at === 0 ? replacement.toUpperCase() : replacement;
  else if (op === 1) chars.splice(at, 1);
  else if (op === 2) chars.splice(at + 1, 0, replacement);
  else if (at + 1 < chars.length) [chars[at], chars[at + 1]] = [chars[at + 1] ?? '', chars[at] ?? ''];
  else [chars[at - 1], chars[at]] = [chars[at] ?? '', chars[at - 1] ?? ''];
  const out = chars.join('');
  // Swaps keep case per position; re-capitalise so "aNm" reads as a name.
  return out.charAt(0).toUpperCase() + out.slice(1).toLowerCase();
}

/**
 * The same person as seen by another facility, with 1–3 realistic noise types applied on top of
 * the usual missing fields. Deterministic for a given RNG state.
 */
export function makeVariant(
  person: SyntheticPerson,
  rng: SeededRandom,
  options: VariantOptions = {},
): GeneratedVariant {
  const [minNoise, maxNoise] = options.noiseCount ?? [1, 3];
  const presence = { ...DEFAULT_PRESENCE, ...options.presence };
  const weights = options.noiseWeights ?? DEFAULT_NOISE_WEIGHTS;
  const forced = (options.forceNoises ?? []).filter((n) => applicable(person, n));
  const chosen = new Set<NoiseType>(forced);
  const wanted = Math.max(chosen.size, rng.int(minNoise, maxNoise));
  // Transposition and year-only both rewrite the date; keep one so each is measured cleanly.
  const excluded = (n: NoiseType): boolean =>
    chosen.has(n) ||
    (n === 'day-month-transposed' && chosen.has('year-only-birth-date')) ||
    (n === 'year-only-birth-date' && chosen.has('day-month-transposed'));
  while (chosen.size < wanted) {
    const open = NOISE_TYPES.filter((n) => applicable(person, n) && !excluded(n) && weights[n] > 0);
    if (open.length === 0) break;
    chosen.add(rng.weighted(open, (n) => weights[n]));
  }
  const has = (n: NoiseType): boolean => chosen.has(n);

  const family = has('family-name-variant') ? (FAMILY_VARIANTS[person.family] ?? person.family) : person.family;
  const middle = has('dropped-middle-name') ? [] : person.middle;
  const given = has('given-name-typo') ? typo(rng, person.given) : person.given;
  let tokens = [family, ...middle, given];
  if (has('swapped-token-order')) {
    // Two orders seen from foreign-designed systems: given first, or family moved to the end.
    tokens = rng.chance(0.5) ? [given, family, ...middle] : [...middle, given, family];
  }
  let name = tokens.join(' ').normalize('NFC');
  if (has('no-diacritics')) name = stripDiacritics(name);
  if (has('upper-case')) name = name.toUpperCase();
  if (has('nfd')) name = name.normalize('NFD');

  let birthDate: PartialDate = person.birthDate;
  if (has('year-only-birth-date')) birthDate = { year: birthDate.year };
  if (has('day-month-transposed') && birthDate.month !== undefined && birthDate.day !== undefined) {
    birthDate = { year: birthDate.year, month: birthDate.day, day: birthDate.month };
  }

  let phone = rng.chance(presence.phone) ? person.phone : undefined;
  if (has('changed-phone')) phone = `09${rng.digits(8)}`;

  let communeCode = rng.chance(presence.commune) ? person.communeCode : undefined;
  if (has('moved-commune')) communeCode = `${person.provinceCode}${String(rng.int(1, 999)).padStart(3, '0')}`;

  let bhytCode = rng.chance(presence.bhyt) ? person.bhytCode : undefined;
  // Since 2021 cards print only the 10-digit number; facilities type whichever they see.
  if (bhytCode !== undefined && rng.chance(0.3)) bhytCode = bhytCode.slice(5);

  const cccd = has('missing-cccd') || !rng.chance(presence.cccd) ? undefined : person.cccd;
  return {
    record: {
      name,
      sex: rng.chance(presence.sex) ? person.sex : undefined,
      birthDate,
      cccd,
      bhytCode,
      phone,
      provinceCode: person.provinceCode,
      communeCode,
    },
    noises: [...chosen],
  };
}

/** The record a facility holds for a person with no noise at all (the registry's own copy). */
export function exactRecord(person: SyntheticPerson): ObservedPatientRecord {
  return {
    name: person.fullName,
    sex: person.sex,
    birthDate: person.birthDate,
    cccd: person.cccd,
    bhytCode: person.bhytCode,
    phone: person.phone,
    provinceCode: person.provinceCode,
    communeCode: person.communeCode,
  };
}

/** A newborn registered under the mother's name before it has its own name and ID. */
export function newbornPlaceholderRecord(child: SyntheticPerson, motherName: string): ObservedPatientRecord {
  return {
    name: `Con bà ${motherName}`,
    sex: child.sex,
    birthDate: child.birthDate,
    phone: child.phone,
    provinceCode: child.provinceCode,
    communeCode: child.communeCode,
  };
}
