import { type LabResult, type RepeatReason } from '@lienthong/contracts';
import { type DataCategory, type LabQualityLevel } from '@lienthong/vn-standards';
import { type CatalogueTest, findTests, type RuleSet, ruleSetAt, testForLine } from './catalogue';
import { evaluateReuse, type LabProfile, type ResultView, type ReuseVerdict } from './reuse';

/** A stored result version with the codes of its source line, so the rule set in effect can say which test it is. */
export interface StoredLine extends ResultView {
  /** XML4 MA_CHI_SO (null when the line had none). */
  readonly mohIndicatorCode: string | null;
  /** XML4 MA_DICH_VU. */
  readonly serviceCode: string;
}

/** One test of a check: the catalogue's, or a code the rule set in effect does not know. */
export interface PlannedTest {
  /** The catalogue code, or — for a code the rule set does not know — the code as asked. */
  readonly testCode: string;
  /** The code the requester sent (a catalogue, MoH indicator or service code). */
  readonly askedAs: string;
  readonly test: CatalogueTest | undefined;
}

export interface ReuseCheckPlan {
  /** The rule set in effect at `at`; its version is recorded with every outcome and every decision. */
  readonly ruleSet: RuleSet;
  readonly at: number;
  readonly tests: readonly PlannedTest[];
  /** The consent categories to ask about: one per distinct category of the known tests, asked in ONE batch. */
  readonly consentCategories: readonly DataCategory[];
}

/**
 * What a check asks, under the rule set in effect at `at` (undefined when none was): each code asked
 * as the tests it names (a shared service code names several), each test once, in the order asked.
 */
export function planReuseCheck(ruleSets: readonly RuleSet[], at: number, asked: readonly string[]): ReuseCheckPlan | undefined {
  const ruleSet = ruleSetAt(ruleSets, at);
  if (ruleSet === undefined) return undefined;
  const tests = new Map<string, PlannedTest>();
  for (const code of asked) {
    const askedAs = code.trim();
    const found = findTests(ruleSet, askedAs);
    if (found.length === 0) {
      const testCode = askedAs.toUpperCase();
      if (!tests.has(testCode)) tests.set(testCode, { testCode, askedAs, test: undefined });
    }
    for (const test of found) if (!tests.has(test.code)) tests.set(test.code, { testCode: test.code, askedAs, test });
  }
  const planned = [...tests.values()];
  const consentCategories = [...new Set(planned.flatMap((p) => (p.test === undefined ? [] : [p.test.consentCategory])))];
  return { ruleSet, at, tests: planned, consentCategories };
}

export interface CheckedTest<R extends StoredLine = StoredLine> extends PlannedTest {
  readonly verdict: ReuseVerdict<R>;
  /** The test's indicative price in the rule set used (null for a test it does not know). */
  readonly priceVnd: number | null;
}

export interface ReuseCheckOutcome<R extends StoredLine = StoredLine> {
  /** The rule-set version every outcome of the check was decided by. */
  readonly ruleSetVersion: string;
  readonly tests: readonly CheckedTest<R>[];
}

export interface ReuseCheckFacts<R extends StoredLine> {
  /** The patient's stored results (any versions; the latest of each counts). */
  readonly results: readonly R[];
  readonly requesterLevel: LabQualityLevel;
  /** The performing labs as the facility registry rates them. */
  readonly labs: ReadonlyMap<string, LabProfile>;
  /** The categories consent-service permitted for this requester and purpose (a deny, or no answer, is absent). */
  readonly permitted: ReadonlySet<DataCategory>;
}

/** Every planned test judged by `evaluateReuse` against the results of its own test, all under the plan's rule set. */
export function evaluateReuseCheck<R extends StoredLine>(plan: ReuseCheckPlan, facts: ReuseCheckFacts<R>): ReuseCheckOutcome<R> {
  const byTest = new Map<string, R[]>();
  for (const r of facts.results) {
    const code = testForLine(plan.ruleSet, r)?.code;
    if (code === undefined) continue;
    const list = byTest.get(code);
    if (list === undefined) byTest.set(code, [r]);
    else list.push(r);
  }
  return {
    ruleSetVersion: plan.ruleSet.version,
    tests: plan.tests.map((planned) => ({
      ...planned,
      priceVnd: planned.test?.priceVnd ?? null,
      verdict: evaluateReuse<R>({
        test: planned.test,
        results: planned.test === undefined ? [] : (byTest.get(planned.test.code) ?? []),
        requesterLevel: facts.requesterLevel,
        labs: facts.labs,
        consentPermitted: planned.test !== undefined && facts.permitted.has(planned.test.consentCategory),
        at: plan.at,
      }),
    })),
  };
}

// ---- the doctor's decision ----

export const RETEST_REASONS = ['clinical-change', 'result-doubtful', 'patient-request', 'other', 'no-candidate'] as const;
export type RetestReason = (typeof RETEST_REASONS)[number];
export type ReuseDecisionKind = 'reused' | 'retested';

/** A test of a stored check, as a decision needs it. */
export interface CheckedTestRecord {
  readonly testCode: string;
  readonly outcome: 'REUSE_CANDIDATE' | 'REPEAT_REQUIRED';
  readonly reason: RepeatReason | null;
  /** The candidate's result id (REUSE_CANDIDATE only). */
  readonly resultId: string | null;
  readonly priceVnd: number | null;
}

export type ReuseDecisionVerdict =
  | { readonly ok: true; readonly retestReason: RetestReason | null; readonly resultId: string | null; readonly priceAvoidedVnd: number }
  | { readonly ok: false; readonly pointer: string; readonly rule: string; readonly message: string };

/**
 * The treating doctor's choice for one test of a check. A reuse needs a candidate and avoids the test's
 * price; a re-test of a candidate says why (coded), a re-test without one is `no-candidate`.
 */
export function reuseDecision(test: CheckedTestRecord, decision: ReuseDecisionKind, retestReason: RetestReason | undefined): ReuseDecisionVerdict {
  const candidate = test.outcome === 'REUSE_CANDIDATE';
  if (decision === 'reused') {
    if (!candidate) {
      return { ok: false, pointer: '#/decision', rule: 'no-candidate', message: `the check found no result to reuse for ${test.testCode} (${test.reason ?? 'repeat required'}): only a re-test can be recorded` };
    }
    if (retestReason !== undefined) return { ok: false, pointer: '#/retestReason', rule: 'not-allowed', message: 'a reuse has no re-test reason' };
    return { ok: true, retestReason: null, resultId: test.resultId, priceAvoidedVnd: test.priceVnd ?? 0 };
  }
  if (candidate) {
    if (retestReason === undefined) return { ok: false, pointer: '#/retestReason', rule: 'required', message: 'say why a reusable result is re-tested' };
    if (retestReason === 'no-candidate') return { ok: false, pointer: '#/retestReason', rule: 'candidate-exists', message: 'the check found a result to reuse for this test' };
    return { ok: true, retestReason, resultId: test.resultId, priceAvoidedVnd: 0 };
  }
  return { ok: true, retestReason: retestReason ?? 'no-candidate', resultId: null, priceAvoidedVnd: 0 };
}

// ---- stored results as the rules see them ----

/** A stored canonical result (`lab.result.v1`'s shape) with what the rules read of it. */
export interface StoredResult extends StoredLine {
  readonly canonical: LabResult;
}

const instant = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** The rules' view of a canonical result: its times, status, line codes and — for microbiology — whether it is positive. */
export function storedResultOf(canonical: LabResult): StoredResult {
  return {
    resultId: canonical.resultId,
    version: canonical.version,
    performingFacility: canonical.performingFacility,
    status: canonical.status,
    collectedAt: instant(canonical.collectedAt),
    performedAt: instant(canonical.performedAt),
    resultAt: instant(canonical.resultAt),
    qualitative: canonical.value?.kind === 'coded' ? canonical.value.code : null,
    mohIndicatorCode: canonical.test.mohIndicatorCode,
    serviceCode: canonical.test.serviceCode,
    canonical,
  };
}
