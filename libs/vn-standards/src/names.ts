import { FAMILY_NAME_SHARES } from './family-names';

/**
 * Vietnamese name normalisation for record matching (VN-STANDARDS §8).
 *
 * The same name reaches us as NFC, NFD, without marks, upper case, and occasionally as legacy 8-bit
 * mojibake. Matching therefore works on a *folded* form: no marks, upper case, single spaces.
 */

// U+0110/U+0111 (Đ/đ) have no canonical decomposition, so NFD + mark stripping leaves them intact;
// U+00D0/U+00F0 (Icelandic eth) are look-alikes some keyboards and OCR produce instead.
const D_MAP: Readonly<Record<string, string>> = { Đ: 'D', đ: 'd', Ð: 'D', ð: 'd' };

/** Removes diacritics and maps Đ/đ → D/d; keeps case and spacing. */
export function stripDiacritics(input: string): string {
  return input
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ĐđÐð]/g, (c) => D_MAP[c] ?? c);
}

/** Trimmed, single-spaced NFC for display and storage (never for comparison). */
export function canonicalDisplayName(input: string): string {
  return input.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * The matching form: no diacritics, upper case, punctuation → space, single spaces.
 * "  nguyễn  thị thu-hà " → "NGUYEN THI THU HA".
 */
export function foldName(input: string): string {
  return stripDiacritics(input)
    .toUpperCase()
    .replace(/[^A-Z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function nameTokens(input: string): string[] {
  const folded = foldName(input);
  return folded === '' ? [] : folded.split(' ');
}

// Northern and southern forms of the same family name (folded spellings).
const FAMILY_EQUIVALENTS: Readonly<Record<string, string>> = { HUYNH: 'HOANG', VO: 'VU' };

/** Canonical key of a (folded or raw) family name: Huỳnh → HOANG, Võ → VU. */
export function familyNameKey(family: string): string {
  const folded = foldName(family);
  return FAMILY_EQUIVALENTS[folded] ?? folded;
}

export function familyNamesEquivalent(a: string, b: string): boolean {
  const ka = familyNameKey(a);
  return ka !== '' && ka === familyNameKey(b);
}

const FOLDED_FAMILY_NAMES: ReadonlySet<string> = new Set(
  FAMILY_NAME_SHARES.map((f) => foldName(f.name)),
);

/** True when the token is a known Vietnamese family name (folded comparison). */
export function isKnownFamilyName(token: string): boolean {
  return FOLDED_FAMILY_NAMES.has(foldName(token));
}

/** Population share of a family name's equivalence class (Hoàng+Huỳnh together), or undefined. */
export function familyNameShare(family: string): number | undefined {
  const key = familyNameKey(family);
  let total = 0;
  for (const f of FAMILY_NAME_SHARES) if (familyNameKey(f.name) === key) total += f.share;
  return total > 0 ? total : undefined;
}

export interface ParsedVietnameseName {
  /** All folded tokens in the order given. */
  readonly tokens: readonly string[];
  /** First token (Vietnamese order: family first). */
  readonly family: string;
  /** Equivalence key of `family` (HUYNH → HOANG). */
  readonly familyKey: string;
  /**
   * Second token when it is also a known family name and at least two tokens follow
   * ("Nguyễn Phạm Minh Anh"): a double family name or a mother's family name used as middle name —
   * indistinguishable, so matching treats it as optional.
   */
  readonly secondFamily: string | undefined;
  /** Tokens between family and given. */
  readonly middle: readonly string[];
  /** Last token: the name people are called by and the strongest name evidence. */
  readonly given: string;
  /** Set when the record is a newborn placeholder registered under the mother's name. */
  readonly newbornOfMother: string | undefined;
}

// "Con bà Nguyễn Thị Lan", "Con của bà …", "CB Nguyễn Thị Lan", "Sơ sinh con bà …" (folded forms).
const NEWBORN_PATTERN = /^(?:SO SINH |BE )?(?:CON CUA BA|CON CUA|CON BA|CON SP|CON SAN PHU|CB)\s+(.+)$/;

/**
 * Detects a newborn registered under the mother's name and returns the mother's folded name.
 * Such a record's "name" is the mother's: it must never be compared with the child's own name.
 */
export function newbornMotherName(input: string): string | undefined {
  const match = NEWBORN_PATTERN.exec(foldName(input));
  const mother = match?.[1];
  // "Con" alone is a rare given/middle name; require a full name after the marker.
  return mother !== undefined && mother.split(' ').length >= 2 ? mother : undefined;
}

export function parseVietnameseName(input: string): ParsedVietnameseName {
  const mother = newbornMotherName(input);
  const tokens = nameTokens(mother ?? input);
  const family = tokens[0] ?? '';
  const given = tokens.length > 1 ? (tokens[tokens.length - 1] ?? '') : '';
  const middle = tokens.slice(1, -1);
  const second = middle[0];
  return {
    tokens,
    family,
    familyKey: familyNameKey(family),
    secondFamily:
      second !== undefined && middle.length >= 1 && tokens.length >= 4 && isKnownFamilyName(second)
        ? second
        : undefined,
    middle,
    given,
    newbornOfMother: mother,
  };
}

/** Sorted folded tokens with family equivalence applied: order-insensitive identity of a name. */
export function nameTokenKey(input: string): string {
  return nameTokens(input)
    .map((t) => FAMILY_EQUIVALENTS[t] ?? t)
    .sort()
    .join(' ');
}

/** Same tokens in any order ("Hà Nguyễn Thị Thu" ≡ "Nguyễn Thị Thu Hà"), Hoàng≡Huỳnh. */
export function sameNameTokens(a: string, b: string): boolean {
  const ka = nameTokenKey(a);
  return ka !== '' && ka === nameTokenKey(b);
}

/**
 * Fraction of tokens shared (multiset Dice coefficient), order-insensitive. Tolerates a dropped
 * middle name: "Nguyễn Thu Hà" vs "Nguyễn Thị Thu Hà" → 6/7.
 */
export function nameTokenOverlap(a: string, b: string): number {
  const ta = nameTokens(a).map((t) => FAMILY_EQUIVALENTS[t] ?? t);
  const tb = nameTokens(b).map((t) => FAMILY_EQUIVALENTS[t] ?? t);
  if (ta.length === 0 || tb.length === 0) return 0;
  const pool = new Map<string, number>();
  for (const t of tb) pool.set(t, (pool.get(t) ?? 0) + 1);
  let shared = 0;
  for (const t of ta) {
    const left = pool.get(t) ?? 0;
    if (left > 0) {
      shared += 1;
      pool.set(t, left - 1);
    }
  }
  return (2 * shared) / (ta.length + tb.length);
}

export type LegacyEncodingGuess = 'utf8-as-latin1' | 'tcvn3' | 'vni';

// Latin-1 letters that never occur in Vietnamese text; TCVN3 (ABC) puts Vietnamese letters there.
const NON_VIETNAMESE_LATIN1 = /[\u00A1-\u00BF\u00C4-\u00C7\u00CB\u00CE-\u00D1\u00D6-\u00D8\u00DB\u00DC\u00DE-\u00DF\u00E4-\u00E7\u00EB\u00EE-\u00F1\u00F6-\u00F8\u00FB\u00FC\u00FE\u00FF]/u;
// UTF-8 bytes read as Latin-1/cp1252: "Nguyá»…n", "Thá»‹", "HÃ ".
const UTF8_AS_LATIN1 = /(?:á[»º]|Ã[\u0080-\u00BF]|Æ[°¯]|Ä[‘\u0090])/u;
// VNI-Windows: base letter + tone/shape byte rendered as a Latin-1 letter ("Nguyeãn", "Thò", "Ñoã").
const VNI_SEQUENCE = /[aeiouyAEIOUY][øùûõïØÙÛÕÏ]|[Ññ][a-zA-Z]/u;

/**
 * Heuristic guess that a string is Vietnamese text in a legacy 8-bit encoding decoded as Latin-1.
 * Used to route such records to cleansing instead of letting garbage names drive matching.
 */
export function detectLegacyEncoding(input: string): LegacyEncodingGuess | undefined {
  if (UTF8_AS_LATIN1.test(input)) return 'utf8-as-latin1';
  // Ñ/ñ are VNI's Đ/đ, so check VNI before the generic "non-Vietnamese Latin-1" TCVN3 test.
  if (VNI_SEQUENCE.test(input) && !/[\u1EA0-\u1EF9ăđơư]/iu.test(input)) {
    return 'vni';
  }
  if (NON_VIETNAMESE_LATIN1.test(input)) return 'tcvn3';
  return undefined;
}

export function looksLikeMojibake(input: string): boolean {
  return detectLegacyEncoding(input) !== undefined;
}

// Windows-1252 maps 0x80–0x9F to typographic characters; reverse them to recover the raw bytes.
const CP1252_HIGH: Readonly<Record<string, number>> = {
  '€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88,
  '‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93,
  '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b,
  'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
};

/**
 * Repairs the one legacy case that is lossless: UTF-8 bytes decoded as Latin-1/cp1252. TCVN3/VNI
 * conversion needs full code tables and is left to a cleansing step; returns undefined when the
 * input cannot be repaired this way.
 */
export function repairUtf8Mojibake(input: string): string | undefined {
  const bytes: number[] = [];
  for (const ch of input) {
    const code = ch.codePointAt(0) ?? 0;
    const high = CP1252_HIGH[ch];
    if (high !== undefined) bytes.push(high);
    else if (code <= 0xff) bytes.push(code);
    else return undefined;
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return decoded.includes('\uFFFD') ? undefined : decoded.normalize('NFC');
}
