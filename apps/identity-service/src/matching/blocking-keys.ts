import { type PartialDate } from '@lienthong/vn-standards';
import { prepareMatchRecord, type MatchRecord, type PreparedMatchRecord } from './match-record';

/**
 * Blocking: which stored patients to fetch and score for an incoming record. Each key is an exact
 * value the service indexes (one row per patient per key), so candidate retrieval is a handful of
 * indexed equality lookups instead of a scan of 100 M people. Keys overlap on purpose: any single
 * noisy field (typo, year-only date, new phone, moved commune) leaves at least one key intact.
 *
 * Approximate block sizes at national scale (100 M people) are noted per key; keys that would be
 * huge are always combined with a place or a full date.
 */
export type BlockingKeyKind =
  /** Social-insurance number: ~1 person. */
  | 'sin'
  /** Phone: a household. */
  | 'tel'
  /** Given name + full birth date: tens of people nationally. */
  | 'gd'
  /** Given name + birth date with day and month swapped (query side only). */
  | 'gdt'
  /** Given name + birth year + province: tens to hundreds; survives year-only dates. */
  | 'gyp'
  /** Full birth date + commune: ~1–5 people; survives any name noise. */
  | 'dc'
  /** Family name + full birth date + province: tens; survives given-name typos and moves. */
  | 'fdp'
  /** Family + birth year + commune: tens; survives typo + year-only together. */
  | 'fyc'
  /** Phonetic (soundex-like) given + family + year: survives spelling variants. */
  | 'sx';

export type BlockingPurpose = 'index' | 'query';

const dateKey = (d: PartialDate): string | undefined =>
  d.month === undefined || d.day === undefined ? undefined : `${d.year}-${d.month}-${d.day}`;

/**
 * Soundex-like folding of a folded Vietnamese syllable: merges initials and finals that regional
 * pronunciation and hurried typing confuse (d/gi/r, s/x, ch/tr, final n/ng/nh, c/t, i/y), and
 * drops doubled letters. Only for blocking — scoring uses the real spelling.
 */
export function phoneticKey(syllable: string): string {
  return syllable
    .replace(/^NGH/, 'NG')
    .replace(/^GH/, 'G')
    .replace(/^GI/, 'D')
    .replace(/^R/, 'D')
    .replace(/^TR/, 'CH')
    .replace(/^S/, 'X')
    .replace(/^K/, 'C')
    .replace(/^QU/, 'CU')
    .replace(/^PH/, 'F')
    .replace(/Y/g, 'I')
    .replace(/(NH|NG)$/, 'N')
    .replace(/C$/, 'T')
    .replace(/(.)\1+/g, '$1');
}

/** Possible (family key, given) readings of a name: Vietnamese order plus, for queries, Western. */
function nameReadings(r: PreparedMatchRecord, purpose: BlockingPurpose): { family: string; given: string }[] {
  if (!r.nameUsable) return [];
  const readings = [{ family: r.name.familyKey, given: r.name.given }];
  if (purpose === 'query') {
    const t = r.name.tokens;
    const k = r.familyKeys;
    const n = t.length;
    if (n >= 2) {
      readings.push({ family: k[1] ?? '', given: t[0] ?? '' });
      readings.push({ family: k[n - 1] ?? '', given: t[n - 2] ?? '' });
    }
  }
  return readings;
}

export function blockingKeys(
  record: MatchRecord | PreparedMatchRecord,
  purpose: BlockingPurpose,
): string[] {
  const r = prepareMatchRecord(record);
  const keys = new Set<string>();
  const add = (kind: BlockingKeyKind, ...parts: (string | number)[]): void => {
    keys.add(`${kind}|${parts.join('|')}`);
  };
  if (r.socialInsuranceNumber !== undefined) add('sin', r.socialInsuranceNumber);
  if (r.phone !== undefined) add('tel', r.phone);

  const date = r.birthDate;
  const full = date === undefined ? undefined : dateKey(date);
  const swapped =
    date?.month !== undefined && date.day !== undefined && date.day <= 12 && date.day !== date.month
      ? dateKey({ year: date.year, month: date.day, day: date.month })
      : undefined;

  if (full !== undefined && r.commune !== undefined) add('dc', full, r.commune);
  for (const { family, given } of nameReadings(r, purpose)) {
    if (full !== undefined) add('gd', given, full);
    if (swapped !== undefined && purpose === 'query') add('gdt', given, swapped);
    if (date !== undefined && r.province !== undefined) add('gyp', given, date.year, r.province);
    if (full !== undefined && r.province !== undefined) add('fdp', family, full, r.province);
    if (date !== undefined && r.commune !== undefined) add('fyc', family, date.year, r.commune);
    if (date !== undefined) add('sx', family, phoneticKey(given), date.year);
  }
  // 'gdt' looks up the index's 'gd' entries under the swapped date.
  return [...keys].map((k) => (k.startsWith('gdt|') ? `gd|${k.slice(4)}` : k));
}
