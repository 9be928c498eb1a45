import { DEFAULT_MATCH_CONFIG, type MatchDecision, type MatchThresholds } from './match-config';
import { type CandidateScore } from './score-candidate';

const ORDER: readonly MatchDecision[] = ['new', 'review', 'link'];

/**
 * Three-way Fellegi–Sunter decision. Accepts a bare score or a full CandidateScore; the latter also
 * applies the candidate's veto and cap (guards), so prefer passing it.
 */
export function decide(
  score: number | CandidateScore,
  thresholds: MatchThresholds = DEFAULT_MATCH_CONFIG.thresholds,
): MatchDecision {
  const value = typeof score === 'number' ? score : score.score;
  const byScore: MatchDecision =
    value >= thresholds.link ? 'link' : value >= thresholds.review ? 'review' : 'new';
  if (typeof score === 'number') return byScore;
  return ORDER.indexOf(byScore) <= ORDER.indexOf(score.cap) ? byScore : score.cap;
}

export interface RankedCandidate<Id> {
  readonly candidateId: Id;
  readonly result: CandidateScore;
}

export interface MatchOutcome<Id> {
  readonly decision: MatchDecision;
  /** Best candidate (absent when there were none). */
  readonly best: RankedCandidate<Id> | undefined;
  /** Candidates that also reached review, best first — what a reviewer should see side by side. */
  readonly alternatives: readonly RankedCandidate<Id>[];
  /** Why a link was downgraded, for the review queue. */
  readonly reason: 'ambiguous' | 'capped' | undefined;
}

/** Decides among all scored candidates of one incoming record. */
export function decideAmong<Id>(
  ranked: readonly RankedCandidate<Id>[],
  thresholds: MatchThresholds = DEFAULT_MATCH_CONFIG.thresholds,
): MatchOutcome<Id> {
  const sorted = [...ranked].sort((x, y) => y.result.score - x.result.score);
  const best = sorted[0];
  if (best === undefined) return { decision: 'new', best: undefined, alternatives: [], reason: undefined };
  const decision = decide(best.result, thresholds);
  const alternatives = sorted.slice(1).filter((c) => c.result.score >= thresholds.review);
  const runnerUp = sorted[1];
  const capped = decision !== decide(best.result.score, thresholds);
  if (decision === 'link' && runnerUp !== undefined && best.result.score - runnerUp.result.score < thresholds.ambiguityMargin) {
    return { decision: 'review', best, alternatives, reason: 'ambiguous' };
  }
  return { decision, best, alternatives, reason: capped ? 'capped' : undefined };
}
