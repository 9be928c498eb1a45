import { Inject, Injectable } from '@nestjs/common';
import { RULE_SETS } from '../../../config/rule-sets/load-rule-sets';
import { LabResultError, LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { type RuleSet, ruleSetAt } from '../../domain/catalogue';

/** A rule-set version in the list: when it applies, how many tests, whether it is the one in effect now. */
export interface RuleSetSummary {
  readonly version: string;
  readonly effectiveFrom: number;
  /** When the next version takes over (null for the latest). */
  readonly effectiveUntil: number | null;
  readonly tests: number;
  readonly inEffect: boolean;
}

/** The reuse rule sets loaded at boot: the versions with their effective dates, and each one's catalogue. No patient data. */
@Injectable()
export class ReadRuleSetsUseCase {
  constructor(@Inject(RULE_SETS) private readonly ruleSets: readonly RuleSet[]) {}

  list(now = Date.now()): RuleSetSummary[] {
    const current = ruleSetAt(this.ruleSets, now);
    const sorted = [...this.ruleSets].sort((a, b) => a.effectiveFrom - b.effectiveFrom);
    return sorted.map((set, i) => ({
      version: set.version,
      effectiveFrom: set.effectiveFrom,
      effectiveUntil: sorted[i + 1]?.effectiveFrom ?? null,
      tests: set.tests.length,
      inEffect: set === current,
    }));
  }

  get(version: string): RuleSet {
    const set = this.ruleSets.find((s) => s.version === version);
    if (set === undefined) throw new LabResultError(LabResultErrorCode.NotFound, `no rule set version ${version}`);
    return set;
  }
}
