/**
 * Fellegi–Sunter parameters for probabilistic patient matching.
 *
 * For each field outcome, m = P(outcome | same person) and u = P(outcome | different people); the
 * outcome contributes log2(m/u) to the score. Values are versioned configuration, not code: they
 * were set from VN-STANDARDS §8 facts (name frequencies, partial dates, hospital habits) and then
 * tuned against the seeded synthetic benchmark (bench/matching-quality.ts). Re-tune them with the
 * benchmark — and, once available, with clerically reviewed real pairs — before changing
 * thresholds.
 */
export interface MatchProbabilities {
  /** P(outcome | same person). */
  readonly m: number;
  /** P(outcome | different people), for random pairs in the population. */
  readonly u: number;
}

export type MatchDecision = 'link' | 'review' | 'new';

export interface MatchThresholds {
  /** Scores at or above this auto-link. */
  readonly link: number;
  /** Scores at or above this (and below `link`) go to the clerical review queue. */
  readonly review: number;
  /**
   * When the runner-up candidate is within this many bits of the best, the choice between them is
   * not evidence-backed: send to review instead of linking.
   */
  readonly ambiguityMargin: number;
}

export interface MatchConfig {
  readonly version: string;
  readonly givenName: {
    /** Jaro–Winkler cut-offs on the folded given name; a single edit also counts as close. */
    readonly closeAtLeast: number;
    readonly similarAtLeast: number;
    readonly exact: MatchProbabilities;
    /** Same tokens in Western order (given first, or family last). */
    readonly reordered: MatchProbabilities;
    readonly close: MatchProbabilities;
    readonly similar: MatchProbabilities;
    readonly disagree: MatchProbabilities;
  };
  readonly familyName: {
    /** m for agreement; u is the population share of the name (value-specific weight). */
    readonly agreeM: number;
    /**
     * Floor for u, so a rare name cannot dominate: national shares understate local frequency
     * (single-clan villages, where one "rare" name is half the commune).
     */
    readonly minAgreeU: number;
    /** u for names missing from the frequency table. */
    readonly unknownNameU: number;
    readonly disagree: MatchProbabilities;
  };
  readonly middleName: {
    /** Folded middle names so common that sharing them says little ("Văn", "Thị"). */
    readonly common: readonly string[];
    readonly agreeCommon: MatchProbabilities;
    readonly agree: MatchProbabilities;
    /** One side's middle names are a subset/abbreviation of the other's ("Thị Thu" vs "Thu"). */
    readonly partial: MatchProbabilities;
    readonly disagree: MatchProbabilities;
  };
  readonly birthDate: {
    readonly exact: MatchProbabilities;
    /** Both full dates, day and month swapped (dd/mm vs mm/dd). */
    readonly transposed: MatchProbabilities;
    /** Same year and month, at least one side lacks the day. */
    readonly monthAgree: MatchProbabilities;
    /** Same year, at least one side known only to the year (elderly patients). */
    readonly yearOnlyAgree: MatchProbabilities;
    /** Same year, month/day known on both sides and different. */
    readonly sameYearDifferentDate: MatchProbabilities;
    readonly adjacentYear: MatchProbabilities;
    readonly disagree: MatchProbabilities;
  };
  readonly sex: { readonly agree: MatchProbabilities; readonly disagree: MatchProbabilities };
  readonly address: {
    readonly communeAgree: MatchProbabilities;
    /** Same province, commune different or unknown on one side. */
    readonly provinceAgree: MatchProbabilities;
    readonly disagree: MatchProbabilities;
  };
  readonly phone: { readonly agree: MatchProbabilities; readonly disagree: MatchProbabilities };
  readonly socialInsurance: { readonly agree: MatchProbabilities; readonly disagree: MatchProbabilities };
  readonly cccd: {
    /**
     * A shared personal ID links deterministically before scoring; this weight only keeps the
     * score meaningful when callers score such pairs anyway.
     */
    readonly agreeWeight: number;
  };
  readonly guards: {
    /**
     * Given-name disagreement caps the decision at review. Twins share birth date, address,
     * phone and family name — field independence fails, so no weight can separate them reliably.
     */
    readonly givenNameDisagreeCap: MatchDecision;
    /**
     * A near-miss given name (one slip) links only with a personal identifier agreeing (the
     * social-insurance number): otherwise a typo is indistinguishable from a twin
     * (Hương/Thương, same birth date, address and phone). Exception: when the context knows one
     * of the two spellings is not a given name in use (MatchContext.isKnownGivenName), the
     * difference is a typing slip, not a sibling.
     */
    readonly nearGivenNameWithoutIdentifierCap: MatchDecision;
    /**
     * Different social-insurance numbers: the number is lifelong and personal, so two of them
     * mean two people unless a card was borrowed or mistyped — a human should look.
     */
    readonly socialInsuranceConflictCap: MatchDecision;
    /** A newborn under the mother's name has no name evidence of its own. */
    readonly newbornPlaceholderCap: MatchDecision;
  };
  readonly thresholds: MatchThresholds;
}

export const DEFAULT_MATCH_CONFIG: MatchConfig = {
  version: '2026-11-synthetic-v1',
  givenName: {
    closeAtLeast: 0.93,
    similarAtLeast: 0.85,
    // ~1% of random pairs share a given name (a few hundred names, skewed).
    exact: { m: 0.86, u: 0.01 },
    reordered: { m: 0.03, u: 0.0002 },
    // Short names make one-letter slips collide with other real names (Thanh/Thắng, Hà/Hậu).
    close: { m: 0.07, u: 0.01 },
    similar: { m: 0.03, u: 0.01 },
    disagree: { m: 0.03, u: 0.977 },
  },
  familyName: {
    agreeM: 0.95,
    minAgreeU: 0.02,
    unknownNameU: 0.004,
    // Family names are stable (no change on marriage); disagreement is mostly typos.
    disagree: { m: 0.04, u: 0.85 },
  },
  middleName: {
    common: ['VAN', 'THI'],
    agreeCommon: { m: 0.8, u: 0.3 },
    agree: { m: 0.8, u: 0.03 },
    partial: { m: 0.12, u: 0.1 },
    disagree: { m: 0.08, u: 0.6 },
  },
  birthDate: {
    // u ≈ 1 / (365 × 80 birth years in use).
    exact: { m: 0.85, u: 0.00004 },
    transposed: { m: 0.02, u: 0.00004 },
    monthAgree: { m: 0.01, u: 0.001 },
    yearOnlyAgree: { m: 0.09, u: 0.0125 },
    sameYearDifferentDate: { m: 0.008, u: 0.0125 },
    adjacentYear: { m: 0.01, u: 0.025 },
    disagree: { m: 0.005, u: 0.96 },
  },
  sex: { agree: { m: 0.98, u: 0.5 }, disagree: { m: 0.02, u: 0.5 } },
  address: {
    // ~3,300 communes, people cluster: u is a conservative 1/1,000.
    communeAgree: { m: 0.8, u: 0.001 },
    provinceAgree: { m: 0.15, u: 0.06 },
    disagree: { m: 0.05, u: 0.94 },
  },
  // Household members share a number (children carry a parent's), hence u far above 1/100M.
  phone: { agree: { m: 0.55, u: 0.0005 }, disagree: { m: 0.45, u: 0.9995 } },
  // Cards are personal but get borrowed or mistyped, hence m < 1 for agreement's complement.
  socialInsurance: { agree: { m: 0.95, u: 0.000001 }, disagree: { m: 0.05, u: 0.999999 } },
  cccd: { agreeWeight: 30 },
  guards: {
    givenNameDisagreeCap: 'review',
    nearGivenNameWithoutIdentifierCap: 'review',
    socialInsuranceConflictCap: 'review',
    newbornPlaceholderCap: 'review',
  },
  // Chosen on the 20k-person seeded benchmark (see bench/matching-quality.ts for the numbers).
  thresholds: { link: 22, review: 12, ambiguityMargin: 6 },
};

export function weightOf(p: MatchProbabilities): number {
  return Math.log2(p.m / p.u);
}
