import { familyNameShare, isKnownFamilyName, type PartialDate } from '@lienthong/vn-standards';
import { isOneEdit, jaroWinkler } from './jaro-winkler';
import {
  DEFAULT_MATCH_CONFIG,
  weightOf,
  type MatchConfig,
  type MatchDecision,
  type MatchProbabilities,
} from './match-config';
import { prepareMatchRecord, type MatchRecord, type PreparedMatchRecord } from './match-record';

export type MatchField =
  | 'cccd'
  | 'givenName'
  | 'familyName'
  | 'middleName'
  | 'birthDate'
  | 'sex'
  | 'address'
  | 'phone'
  | 'socialInsurance';

export interface FieldComparison {
  readonly field: MatchField;
  readonly outcome: string;
  /** log2(m/u) contribution; 0 when the field is missing on either side. */
  readonly weight: number;
}

export interface CandidateScore {
  /** Sum of weights in bits; −Infinity when a hard rule vetoes the link. */
  readonly score: number;
  /** The finite evidence sum, kept for explanation even when vetoed. */
  readonly evidence: number;
  readonly comparisons: readonly FieldComparison[];
  readonly vetoed: boolean;
  /** Highest decision the evidence allows regardless of score (guards, see MatchConfig.guards). */
  readonly cap: MatchDecision;
}

/**
 * Registry knowledge the service supplies at scoring time (not configuration: it changes as the
 * registry grows).
 */
export interface MatchContext {
  /**
   * True when a folded given name is in real use (e.g. seen on ≥ 3 registered patients). Lets the
   * matcher tell a typing slip ("BSO" for "BAO") from a different real name ("THUONG"/"HUONG").
   */
  readonly isKnownGivenName?: (foldedGivenName: string) => boolean;
}

interface NameAlignment {
  readonly given: FieldComparison;
  readonly familyAgrees: boolean | undefined;
  readonly incomingMiddle: readonly string[];
  readonly candidateMiddle: readonly string[];
}

const missing = (field: MatchField): FieldComparison => ({ field, outcome: 'missing', weight: 0 });
const scored = (field: MatchField, outcome: string, p: MatchProbabilities): FieldComparison => ({
  field,
  outcome,
  weight: weightOf(p),
});

/**
 * Western-order detection: "Hà Nguyễn Thị Thu" (given first) or "Thị Thu Hà Nguyễn" (family
 * last). Positional on purpose — Vietnamese reuses the same syllables as middle and given names
 * ("Thu Hà" / "Hà Thu"), so mere token overlap would link different people.
 */
function reorderedMiddle(reordered: PreparedMatchRecord, proper: PreparedMatchRecord): string[] | undefined {
  const t = reordered.name.tokens;
  const keys = reordered.familyKeys;
  const n = t.length;
  const { given, familyKey, family } = proper.name;
  // Both readings must put a real family name in the family slot, or "Cao Quốc Thành" would read
  // as given-first "Quốc Tuấn Cao".
  if (n < 2 || !isKnownFamilyName(family)) return undefined;
  if (t[0] === given && keys[1] === familyKey) return t.slice(2);
  if (keys[n - 1] === familyKey && t[n - 2] === given) return t.slice(0, n - 2);
  return undefined;
}

function alignNames(a: PreparedMatchRecord, b: PreparedMatchRecord, config: MatchConfig): NameAlignment {
  const g = config.givenName;
  if (a.name.given === b.name.given) {
    return {
      given: scored('givenName', 'exact', g.exact),
      familyAgrees: a.name.familyKey === b.name.familyKey,
      incomingMiddle: a.name.middle,
      candidateMiddle: b.name.middle,
    };
  }
  const aReordered = reorderedMiddle(a, b);
  const bReordered = aReordered === undefined ? reorderedMiddle(b, a) : undefined;
  if (aReordered !== undefined || bReordered !== undefined) {
    return {
      given: scored('givenName', 'reordered', g.reordered),
      familyAgrees: true,
      incomingMiddle: aReordered ?? a.name.middle,
      candidateMiddle: bReordered ?? b.name.middle,
    };
  }
  const similarity = jaroWinkler(a.name.given, b.name.given);
  const given =
    similarity >= g.closeAtLeast || isOneEdit(a.name.given, b.name.given)
      ? scored('givenName', 'close', g.close)
      : similarity >= g.similarAtLeast
        ? scored('givenName', 'similar', g.similar)
        : scored('givenName', 'disagree', g.disagree);
  return {
    given,
    familyAgrees: a.name.familyKey === b.name.familyKey,
    incomingMiddle: a.name.middle,
    candidateMiddle: b.name.middle,
  };
}

function compareFamily(agrees: boolean | undefined, family: string, config: MatchConfig): FieldComparison {
  const f = config.familyName;
  if (agrees === undefined) return missing('familyName');
  if (!agrees) return scored('familyName', 'disagree', f.disagree);
  // Value-specific u: sharing "Nguyễn" (38%) is weak evidence, sharing "Khúc" is strong.
  const u = Math.max(familyNameShare(family) ?? f.unknownNameU, f.minAgreeU);
  return scored('familyName', 'agree', { m: f.agreeM, u });
}

// An initial ("T.") stands for any name starting with that letter.
const tokenMatches = (a: string, b: string): boolean =>
  a === b || (a.length === 1 && b.startsWith(a)) || (b.length === 1 && a.startsWith(b));

function compareMiddle(a: readonly string[], b: readonly string[], config: MatchConfig): FieldComparison {
  const c = config.middleName;
  // Hospitals routinely drop middle names: absence on one side is no evidence either way.
  if (a.length === 0 || b.length === 0) return missing('middleName');
  if (a.length === b.length && a.every((t, i) => tokenMatches(t, b[i] ?? ''))) {
    const common = a.every((t) => c.common.includes(t));
    return scored('middleName', 'agree', common ? c.agreeCommon : c.agree);
  }
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  if (shorter.every((t) => longer.some((l) => tokenMatches(t, l)))) {
    return scored('middleName', 'partial', c.partial);
  }
  return scored('middleName', 'disagree', c.disagree);
}

function compareBirthDate(a: PartialDate | undefined, b: PartialDate | undefined, config: MatchConfig): FieldComparison {
  const d = config.birthDate;
  if (a === undefined || b === undefined) return missing('birthDate');
  const years = Math.abs(a.year - b.year);
  if (years === 1) return scored('birthDate', 'adjacent-year', d.adjacentYear);
  if (years > 1) return scored('birthDate', 'disagree', d.disagree);
  if (a.month === undefined || b.month === undefined) {
    return scored('birthDate', 'year-only-agree', d.yearOnlyAgree);
  }
  if (a.day !== undefined && b.day !== undefined) {
    if (a.month === b.month && a.day === b.day) return scored('birthDate', 'exact', d.exact);
    if (a.month === b.day && a.day === b.month) return scored('birthDate', 'transposed', d.transposed);
    return scored('birthDate', 'same-year-different-date', d.sameYearDifferentDate);
  }
  return a.month === b.month
    ? scored('birthDate', 'month-agree', d.monthAgree)
    : scored('birthDate', 'same-year-different-date', d.sameYearDifferentDate);
}

function compareEqual<T>(
  field: MatchField,
  a: T | undefined,
  b: T | undefined,
  p: { readonly agree: MatchProbabilities; readonly disagree: MatchProbabilities },
): FieldComparison {
  if (a === undefined || b === undefined) return missing(field);
  return a === b ? scored(field, 'agree', p.agree) : scored(field, 'disagree', p.disagree);
}

function compareAddress(a: PreparedMatchRecord, b: PreparedMatchRecord, config: MatchConfig): FieldComparison {
  const c = config.address;
  if (a.commune !== undefined && a.commune === b.commune) {
    return scored('address', 'commune-agree', c.communeAgree);
  }
  if (a.province === undefined || b.province === undefined) return missing('address');
  return a.province === b.province
    ? scored('address', 'province-agree', c.provinceAgree)
    : scored('address', 'disagree', c.disagree);
}

const CAP_ORDER: readonly MatchDecision[] = ['new', 'review', 'link'];
const lowerCap = (a: MatchDecision, b: MatchDecision): MatchDecision =>
  CAP_ORDER.indexOf(a) <= CAP_ORDER.indexOf(b) ? a : b;

/**
 * Fellegi–Sunter score of an incoming record against one stored candidate. The CCCD is decided
 * deterministically upstream; here two different valid CCCDs veto the link (score −Infinity),
 * because a person holds one live number and history (re-issued numbers) is passed in
 * `previousCccds`.
 */
export function scoreCandidate(
  incoming: MatchRecord | PreparedMatchRecord,
  candidate: MatchRecord | PreparedMatchRecord,
  config: MatchConfig = DEFAULT_MATCH_CONFIG,
  context: MatchContext = {},
): CandidateScore {
  const a = prepareMatchRecord(incoming);
  const b = prepareMatchRecord(candidate);
  const comparisons: FieldComparison[] = [];
  let cap: MatchDecision = 'link';
  let vetoed = false;

  if (a.cccds.length === 0 || b.cccds.length === 0) {
    comparisons.push(missing('cccd'));
  } else if (a.cccds.some((c) => b.cccds.includes(c))) {
    comparisons.push({ field: 'cccd', outcome: 'agree', weight: config.cccd.agreeWeight });
  } else {
    comparisons.push({ field: 'cccd', outcome: 'disagree', weight: 0 });
    vetoed = true;
  }

  let nearGivenName = false;
  const newborn = a.name.newbornOfMother !== undefined || b.name.newbornOfMother !== undefined;
  if (newborn) {
    // The placeholder name is the mother's: comparing it with the child's own name is meaningless.
    comparisons.push({ field: 'givenName', outcome: 'newborn-placeholder', weight: 0 });
    comparisons.push(missing('familyName'), missing('middleName'));
    cap = lowerCap(cap, config.guards.newbornPlaceholderCap);
  } else if (!a.nameUsable || !b.nameUsable) {
    comparisons.push(missing('givenName'), missing('familyName'), missing('middleName'));
  } else {
    const aligned = alignNames(a, b, config);
    comparisons.push(aligned.given);
    comparisons.push(compareFamily(aligned.familyAgrees, b.name.family, config));
    comparisons.push(compareMiddle(aligned.incomingMiddle, aligned.candidateMiddle, config));
    if (aligned.given.outcome === 'disagree') cap = lowerCap(cap, config.guards.givenNameDisagreeCap);
    const near = aligned.given.outcome === 'close' || aligned.given.outcome === 'similar';
    const known = context.isKnownGivenName;
    const slip = known !== undefined && (!known(a.name.given) || !known(b.name.given));
    nearGivenName = near && !slip;
  }

  comparisons.push(compareBirthDate(a.birthDate, b.birthDate, config));
  comparisons.push(compareEqual('sex', a.sex, b.sex, config.sex));
  comparisons.push(compareAddress(a, b, config));
  comparisons.push(compareEqual('phone', a.phone, b.phone, config.phone));
  comparisons.push(compareEqual('socialInsurance', a.socialInsuranceNumber, b.socialInsuranceNumber, config.socialInsurance));

  const identifierAgrees = comparisons.some(
    (c) => (c.field === 'socialInsurance' || c.field === 'cccd') && c.outcome === 'agree',
  );
  if (comparisons.some((c) => c.field === 'socialInsurance' && c.outcome === 'disagree')) {
    cap = lowerCap(cap, config.guards.socialInsuranceConflictCap);
  }
  if (nearGivenName && !identifierAgrees) {
    cap = lowerCap(cap, config.guards.nearGivenNameWithoutIdentifierCap);
  }

  const evidence = comparisons.reduce((sum, c) => sum + c.weight, 0);
  return {
    score: vetoed ? Number.NEGATIVE_INFINITY : evidence,
    evidence,
    comparisons,
    vetoed,
    cap: vetoed ? 'new' : cap,
  };
}
