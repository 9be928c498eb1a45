import { type RepeatReason } from '@lienthong/contracts';
import { type LabQualityLevel, labQualityRank } from '@lienthong/vn-standards';
import { type CatalogueTest } from './catalogue';

/** A stored result version as the reuse rules see it: only the latest version of a result counts (amendments replace, cancellations remove). */
export interface ResultView {
  readonly resultId: string;
  readonly version: number;
  readonly performingFacility: string;
  readonly status: 'final' | 'amended' | 'cancelled' | 'preliminary';
  /** Specimen collection (epoch ms), when the source gave it (XML 130 never does). */
  readonly collectedAt: number | null;
  /** When the test was performed (XML3 NGAY_TH_YL), the upper bound the XML path has. */
  readonly performedAt: number | null;
  readonly resultAt: number | null;
  /** For positive-only tests: the coded value, if the result is qualitative. */
  readonly qualitative: 'positive' | 'negative' | null;
}

/** A lab as the facility registry rates it (Decision 2429 level, ISO 15189 scope by catalogue code). */
export interface LabProfile {
  readonly labQualityLevel: LabQualityLevel;
  readonly iso15189Scope: readonly string[];
}

export type ReuseVerdict<R extends ResultView = ResultView> =
  | {
      readonly outcome: 'REUSE_CANDIDATE';
      readonly result: R;
      readonly validUntil: number;
      /** Which time the window was counted from: collection when known, else performance (an upper bound). */
      readonly windowFrom: 'collectedAt' | 'performedAt';
    }
  | { readonly outcome: 'REPEAT_REQUIRED'; readonly reason: RepeatReason };

export interface ReuseQuestion<R extends ResultView = ResultView> {
  /** The catalogue test, or undefined when the code asked is not in the rule set in effect. */
  readonly test: CatalogueTest | undefined;
  /** Every stored result of this patient for this test (only the latest version of each counts). */
  readonly results: readonly R[];
  /** The requesting facility's own lab level (a lower-level lab accepts a higher-level lab's results). */
  readonly requesterLevel: LabQualityLevel;
  readonly labs: ReadonlyMap<string, LabProfile>;
  /** The consent decision point's answer for this test's category. */
  readonly consentPermitted: boolean;
  readonly at: number;
}

const HOUR_MS = 3_600_000;

/** The latest version of each result (by `resultId`): an amendment replaces its result, a cancellation withdraws it. */
export function latestVersions<R extends ResultView>(results: readonly R[]): R[] {
  const latest = new Map<string, R>();
  for (const r of results) {
    const seen = latest.get(r.resultId);
    if (seen === undefined || r.version > seen.version) latest.set(r.resultId, r);
  }
  return [...latest.values()];
}

/** Why one result is not reusable, or undefined when it is (with its window). */
function judge(q: ReuseQuestion, test: CatalogueTest, r: ResultView): { reason: RepeatReason } | { validUntil: number; windowFrom: 'collectedAt' | 'performedAt' } {
  if (r.status === 'cancelled') return { reason: 'no-prior-result' };
  if (r.status !== 'final' && r.status !== 'amended') return { reason: 'not-final' };
  const lab = q.labs.get(r.performingFacility);
  const inScope = lab?.iso15189Scope.includes(test.code) ?? false;
  const labRank = lab === undefined ? 0 : labQualityRank(lab.labQualityLevel);
  // Draft rule: the performing lab is rated (level ≥ 1) and at least the requester's level — or accredited for this test.
  if (!inScope && (labRank < 1 || labRank < labQualityRank(q.requesterLevel))) return { reason: 'lab-quality-below-requester' };
  if (test.positiveOnly && r.qualitative !== 'positive') return { reason: 'negative-microbiology' };
  const anchor =
    test.validFrom === 'collection'
      ? r.collectedAt !== null
        ? { at: r.collectedAt, from: 'collectedAt' as const }
        : r.performedAt !== null
          ? { at: r.performedAt, from: 'performedAt' as const }
          : undefined
      : r.performedAt !== null
        ? { at: r.performedAt, from: 'performedAt' as const }
        : undefined;
  if (anchor === undefined) return { reason: 'time-unknown' };
  const validUntil = anchor.at + test.validityHours * HOUR_MS;
  if (q.at >= validUntil) return { reason: 'expired' };
  if (anchor.at > q.at) return { reason: 'no-prior-result' };
  return { validUntil, windowFrom: anchor.from };
}

/** When no result is reusable, the reason reported is the one nearest to reuse (the doctor learns what would have helped). */
const REASON_PRIORITY: readonly RepeatReason[] = ['expired', 'lab-quality-below-requester', 'negative-microbiology', 'time-unknown', 'not-final', 'no-prior-result'];

/**
 * "Reuse this result, or re-test?" for one test: the newest reusable result (its window from
 * collection when known, else from performance), or why none is. Consent first: a denied category
 * reveals nothing about what exists.
 */
export function evaluateReuse<R extends ResultView>(q: ReuseQuestion<R>): ReuseVerdict<R> {
  if (q.test === undefined) return { outcome: 'REPEAT_REQUIRED', reason: 'unknown-test' };
  if (!q.consentPermitted) return { outcome: 'REPEAT_REQUIRED', reason: 'consent-denied' };
  const test = q.test;
  let best: { result: R; validUntil: number; windowFrom: 'collectedAt' | 'performedAt' } | undefined;
  const reasons = new Set<RepeatReason>();
  for (const r of latestVersions(q.results)) {
    const verdict = judge(q, test, r);
    if ('reason' in verdict) {
      reasons.add(verdict.reason);
      continue;
    }
    if (best === undefined || verdict.validUntil > best.validUntil) best = { result: r, ...verdict };
  }
  if (best !== undefined) return { outcome: 'REUSE_CANDIDATE', ...best };
  const reason = REASON_PRIORITY.find((r) => reasons.has(r)) ?? 'no-prior-result';
  return { outcome: 'REPEAT_REQUIRED', reason };
}
