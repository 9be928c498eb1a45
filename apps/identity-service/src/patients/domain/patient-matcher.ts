import { type PartialDate } from '@lienthong/vn-standards';
import {
  blockingKeys,
  decideAmong,
  prepareMatchRecord,
  DEFAULT_MATCH_CONFIG,
  scoreCandidate,
  type MatchConfig,
  type MatchDecision,
  type MatchRecord,
} from '../../matching';
import { type FieldComparison, type SexCode } from './patient';

/** What the service knows of a patient for matching: demographics plus blind indexes, no values. */
export interface MatchablePatient {
  readonly fullName: string;
  readonly birthDate: PartialDate | undefined;
  readonly sex: SexCode;
  readonly provinceCode: string | undefined;
  readonly communeCode: string | undefined;
  readonly phone: string | undefined;
  /** Blind indexes of BHYT social-insurance numbers. */
  readonly bhytIndexes: readonly Buffer[];
}

export interface MatchVerdict<Id> {
  readonly decision: MatchDecision;
  readonly best: { readonly id: Id; readonly score: number; readonly comparisons: readonly FieldComparison[] } | undefined;
}

/**
 * The service's adapter onto the matching module (src/matching): turns stored patients into
 * MatchRecords and asks for blocking keys and a three-way decision.
 *
 * Identifier values never go to the matcher: equality is all it needs from a BHYT number, so each
 * side gets a stand-in 10-digit number derived from the keyed blind index (equal numbers → equal
 * stand-ins). CCCDs are resolved before matching (exact link; a different active CCCD excludes the
 * candidate), so they are not passed at all.
 */
export class PatientMatcher {
  constructor(private readonly config: MatchConfig = DEFAULT_MATCH_CONFIG) {}

  /** Keys stored for a patient (index side). */
  indexKeys(patient: MatchablePatient): string[] {
    return blockingKeys(toMatchRecord(patient), 'index');
  }

  /** Keys looked up for an incoming record (query side: also Western order, swapped day/month). */
  queryKeys(patient: MatchablePatient): string[] {
    return blockingKeys(toMatchRecord(patient), 'query');
  }

  decide<Id>(incoming: MatchablePatient, candidates: readonly { id: Id; patient: MatchablePatient }[]): MatchVerdict<Id> {
    // Prepared once (name parsing, folding), not once per candidate.
    const a = prepareMatchRecord(toMatchRecord(incoming));
    const ranked = candidates.map((c) => ({ candidateId: c.id, result: scoreCandidate(a, toMatchRecord(c.patient), this.config) }));
    const outcome = decideAmong(ranked, this.config.thresholds);
    const best = outcome.best;
    return {
      decision: outcome.decision,
      best:
        best === undefined
          ? undefined
          : {
              id: best.candidateId,
              score: Number.isFinite(best.result.score) ? best.result.score : best.result.evidence,
              comparisons: best.result.comparisons.map((c) => ({ field: c.field, outcome: c.outcome, weight: c.weight })),
            },
    };
  }
}

function standInSocialInsuranceNumber(blindIndex: Buffer): string {
  return (blindIndex.readBigUInt64BE(0) % 10_000_000_000n).toString().padStart(10, '0');
}

export function toMatchRecord(p: MatchablePatient): MatchRecord {
  const bhyt = p.bhytIndexes[0];
  return {
    name: p.fullName,
    sex: p.sex === 1 ? 'male' : p.sex === 2 ? 'female' : undefined,
    birthDate: p.birthDate,
    bhytCode: bhyt === undefined ? undefined : standInSocialInsuranceNumber(bhyt),
    phone: p.phone,
    provinceCode: p.provinceCode,
    communeCode: p.communeCode,
  };
}

export function matchableFrom(
  d: { fullName: string; birthDate: PartialDate | undefined; sex: SexCode; provinceCode: string | undefined; communeCode: string | undefined; phone: string | undefined },
  bhytIndexes: readonly Buffer[],
): MatchablePatient {
  return {
    fullName: d.fullName,
    birthDate: d.birthDate,
    sex: d.sex,
    provinceCode: d.provinceCode,
    communeCode: d.communeCode,
    phone: d.phone,
    bhytIndexes,
  };
}
