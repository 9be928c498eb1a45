import { type RepeatReason } from '@lienthong/contracts';
import type { Db, Tx } from '@lienthong/persistence';
import { type DataCategory, type PurposeOfUse } from '@lienthong/vn-standards';
import { type CheckedTestRecord, type RetestReason, type ReuseDecisionKind } from '../domain/reuse-check';

/** How the requester named the patient (never the identifier itself). */
export type PatientGivenAs = 'enterprise-id' | 'cccd' | 'local-id';

/** One test of a stored check: its outcome and the candidate's identity, never its value. */
export interface StoredCheckTest extends CheckedTestRecord {
  readonly position: number;
  readonly askedAs: string;
  /** The catalogue code (null for a code the rule set did not know). */
  readonly catalogueCode: string | null;
  readonly consentCategory: DataCategory | null;
  readonly reason: RepeatReason | null;
  readonly resultVersion: number | null;
  readonly performingFacility: string | null;
  readonly validUntil: Date | null;
  readonly windowFrom: 'collectedAt' | 'performedAt' | null;
}

/** The treating doctor's choice for one test of a check. */
export interface StoredDecision {
  readonly decisionId: string;
  readonly checkId: string;
  readonly testCode: string;
  readonly decision: ReuseDecisionKind;
  readonly retestReason: RetestReason | null;
  readonly resultId: string | null;
  readonly priceAvoidedVnd: number;
  /** The rule-set version of the check the decision answers. */
  readonly ruleSetVersion: string;
  readonly decidedAt: Date;
  /** The token subject of the system that recorded it. */
  readonly decidedBy: string;
}

export interface StoredCheck {
  readonly checkId: string;
  readonly enterprisePatientId: string;
  readonly requestingFacility: string;
  readonly purpose: PurposeOfUse;
  readonly ruleSetVersion: string;
  /** The time the check was asked about. */
  readonly at: Date;
  readonly checkedAt: Date;
  readonly requestedBy: string;
  readonly patientGivenAs: PatientGivenAs;
  readonly tests: readonly StoredCheckTest[];
}

/** `reuse_checks`, `reuse_check_tests` and `reuse_decisions`: what was checked, found and decided. */
export abstract class ReuseChecks {
  /** Stores the check and its tests. */
  abstract insert(tx: Tx, check: StoredCheck): void;
  /** The check with its tests (in the order asked) and the decisions recorded so far; undefined if none. */
  abstract find(db: Db, checkId: string): Promise<(StoredCheck & { readonly decisions: readonly StoredDecision[] }) | undefined>;
  abstract insertDecision(tx: Tx, decision: StoredDecision): void;
}
