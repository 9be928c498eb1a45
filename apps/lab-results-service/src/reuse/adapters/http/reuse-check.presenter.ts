import { type LabResult } from '@lienthong/contracts';
import { type RuleSet } from '../../domain/catalogue';
import { type StoredCheck, type StoredCheckTest, type StoredDecision } from '../../ports/reuse-checks.port';
import { type CheckWithDecisions } from '../../use-cases/get-reuse-check/get-reuse-check.use-case';
import { type RuleSetSummary } from '../../use-cases/read-rule-sets/read-rule-sets.use-case';
import { type CandidateDetail, type ReuseCheckAnswer } from '../../use-cases/run-reuse-check/run-reuse-check.use-case';

/** Where a check lives. */
export const reuseCheckLocation = (checkId: string): string => `/v1/reuse-checks/${checkId}`;

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** An instant in Vietnam time (UTC+07:00, no daylight saving), as the rule-set files state them. */
export function vietnamTime(epochMs: number): string {
  return `${new Date(epochMs + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
}

function checkHeader(check: StoredCheck) {
  return {
    checkId: check.checkId,
    enterprisePatientId: check.enterprisePatientId,
    requestingFacility: check.requestingFacility,
    purpose: check.purpose,
    ruleSetVersion: check.ruleSetVersion,
    at: check.at.toISOString(),
    checkedAt: check.checkedAt.toISOString(),
  };
}

function testHeader(t: StoredCheckTest) {
  return { testCode: t.testCode, askedAs: t.askedAs, catalogueCode: t.catalogueCode, outcome: t.outcome, reason: t.reason, priceVnd: t.priceVnd };
}

function summary(tests: readonly StoredCheckTest[]) {
  const candidates = tests.filter((t) => t.outcome === 'REUSE_CANDIDATE');
  return {
    tests: tests.length,
    reuseCandidates: candidates.length,
    repeatRequired: tests.length - candidates.length,
    /** What reusing every candidate would avoid (indicative VND). */
    priceVndAvoidable: candidates.reduce((sum, t) => sum + (t.priceVnd ?? 0), 0),
  };
}

/** A candidate as the requester sees it with the check's answer: the result, where, when, which lab, valid until when. */
function candidateView(t: StoredCheckTest, detail: CandidateDetail) {
  const r: LabResult = detail.result;
  return {
    resultId: r.resultId,
    version: r.version,
    status: r.status,
    test: { catalogueCode: t.catalogueCode, mohIndicatorCode: r.test.mohIndicatorCode, serviceCode: r.test.serviceCode, name: r.test.name, loinc: r.test.loinc },
    value: r.value,
    unit: r.unit,
    referenceRange: r.referenceRange,
    abnormalFlag: r.abnormalFlag,
    performingFacility: r.performingFacility,
    lab:
      detail.lab === undefined
        ? null
        : { facilityCode: detail.lab.code, labQualityLevel: String(detail.lab.labQualityLevel), iso15189Accredited: t.catalogueCode !== null && detail.lab.iso15189Scope.includes(t.catalogueCode) },
    performedAt: r.performedAt,
    performedAtSource: r.performedAtSource,
    collectedAt: r.collectedAt,
    resultAt: r.resultAt,
    signer: r.signer,
    validUntil: iso(t.validUntil),
    windowFrom: t.windowFrom,
    missingFields: r.missingFields,
  };
}

/** `POST /v1/reuse-checks`: per test, a candidate with its result, or the reason to repeat. */
export function reuseCheckAnswerView(answer: ReuseCheckAnswer) {
  const { check, candidates } = answer;
  return {
    ...checkHeader(check),
    tests: check.tests.map((t) => {
      const detail = candidates.get(t.testCode);
      return { ...testHeader(t), candidate: detail === undefined ? null : candidateView(t, detail) };
    }),
    summary: summary(check.tests),
  };
}

/** A decision as recorded (`POST …/decisions`, and within a check). */
export function decisionView(d: StoredDecision) {
  return {
    decisionId: d.decisionId,
    checkId: d.checkId,
    testCode: d.testCode,
    decision: d.decision,
    retestReason: d.retestReason,
    resultId: d.resultId,
    priceAvoidedVnd: d.priceAvoidedVnd,
    ruleSetVersion: d.ruleSetVersion,
    decidedAt: d.decidedAt.toISOString(),
  };
}

/** `GET /v1/reuse-checks/{checkId}`: the check as stored — candidates' identities and validity, no values — and its decisions. */
export function storedCheckView(check: CheckWithDecisions) {
  const decided = new Map(check.decisions.map((d) => [d.testCode, decisionView(d)]));
  return {
    ...checkHeader(check),
    tests: check.tests.map((t) => ({
      ...testHeader(t),
      candidate:
        t.resultId === null
          ? null
          : { resultId: t.resultId, version: t.resultVersion, performingFacility: t.performingFacility, validUntil: iso(t.validUntil), windowFrom: t.windowFrom },
      decision: decided.get(t.testCode) ?? null,
    })),
    summary: {
      ...summary(check.tests),
      decided: check.decisions.length,
      priceVndAvoided: check.decisions.reduce((sum, d) => sum + d.priceAvoidedVnd, 0),
    },
  };
}

export function ruleSetSummaryView(s: RuleSetSummary) {
  return { version: s.version, effectiveFrom: vietnamTime(s.effectiveFrom), effectiveUntil: s.effectiveUntil === null ? null : vietnamTime(s.effectiveUntil), tests: s.tests, inEffect: s.inEffect };
}

export function ruleSetView(set: RuleSet) {
  return { version: set.version, effectiveFrom: vietnamTime(set.effectiveFrom), tests: set.tests };
}
