import { type RepeatReason } from '@lienthong/contracts';
import { type Db, type Tx } from '@lienthong/persistence';
import { type DataCategory, type PurposeOfUse } from '@lienthong/vn-standards';
import { Injectable } from '@nestjs/common';
import { type RetestReason, type ReuseDecisionKind } from '../../domain/reuse-check';
import { type PatientGivenAs, ReuseChecks, type StoredCheck, type StoredCheckTest, type StoredDecision } from '../../ports/reuse-checks.port';

interface CheckRow {
  check_id: string;
  enterprise_patient_id: string;
  requesting_facility: string;
  purpose: PurposeOfUse;
  rule_set_version: string;
  checked_for: Date;
  checked_at: Date;
  requested_by: string;
  patient_given_as: PatientGivenAs;
  tests: TestJson[];
  decisions: DecisionJson[];
}

/** A `reuse_check_tests` row as to_jsonb gives it (timestamps as text). */
interface TestJson {
  test_code: string;
  position: number;
  asked_as: string;
  catalogue_code: string | null;
  consent_category: DataCategory | null;
  outcome: StoredCheckTest['outcome'];
  reason: RepeatReason | null;
  result_id: string | null;
  result_version: number | null;
  performing_facility: string | null;
  valid_until: string | null;
  window_from: StoredCheckTest['windowFrom'];
  price_vnd: number | null;
}

interface DecisionJson {
  decision_id: string;
  check_id: string;
  test_code: string;
  decision: ReuseDecisionKind;
  retest_reason: RetestReason | null;
  result_id: string | null;
  price_avoided_vnd: number;
  rule_set_version: string;
  decided_at: string;
  decided_by: string;
}

const date = (text: string | null): Date | null => (text === null ? null : new Date(text));

/** `reuse_checks`, `reuse_check_tests`, `reuse_decisions`: each statement once. */
@Injectable()
export class ReuseChecksRepository extends ReuseChecks {
  insert(tx: Tx, check: StoredCheck): void {
    tx.write(
      (p) => `INSERT INTO reuse_checks (check_id, enterprise_patient_id, requesting_facility, purpose, rule_set_version, checked_for, checked_at, requested_by, patient_given_as)
        VALUES (${p(check.checkId)}::uuid, ${p(check.enterprisePatientId)}::uuid, ${p(check.requestingFacility)}, ${p(check.purpose)}, ${p(check.ruleSetVersion)},
                ${p(check.at)}::timestamptz, ${p(check.checkedAt)}::timestamptz, ${p(check.requestedBy)}, ${p(check.patientGivenAs)})`,
    );
    const rows = JSON.stringify(
      check.tests.map((t) => ({
        test_code: t.testCode,
        position: t.position,
        asked_as: t.askedAs,
        catalogue_code: t.catalogueCode,
        consent_category: t.consentCategory,
        outcome: t.outcome,
        reason: t.reason,
        result_id: t.resultId,
        result_version: t.resultVersion,
        performing_facility: t.performingFacility,
        valid_until: t.validUntil?.toISOString() ?? null,
        window_from: t.windowFrom,
        price_vnd: t.priceVnd,
      })),
    );
    tx.write(
      (p) => `INSERT INTO reuse_check_tests (check_id, test_code, position, asked_as, catalogue_code, consent_category, outcome, reason, result_id, result_version,
                performing_facility, valid_until, window_from, price_vnd)
        SELECT ${p(check.checkId)}::uuid, r.test_code, r.position, r.asked_as, r.catalogue_code, r.consent_category, r.outcome, r.reason, r.result_id, r.result_version,
               r.performing_facility, r.valid_until, r.window_from, r.price_vnd
          FROM jsonb_to_recordset(${p(rows)}::jsonb) AS r(test_code text, position smallint, asked_as text, catalogue_code text, consent_category text, outcome text,
               reason text, result_id uuid, result_version integer, performing_facility text, valid_until timestamptz, window_from text, price_vnd integer)`,
    );
  }

  async find(db: Db, checkId: string): Promise<(StoredCheck & { readonly decisions: readonly StoredDecision[] }) | undefined> {
    const [row] = await db.query<CheckRow>(
      `SELECT c.check_id, c.enterprise_patient_id, c.requesting_facility, c.purpose, c.rule_set_version, c.checked_for, c.checked_at, c.requested_by, c.patient_given_as,
              (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.position), '[]'::jsonb) FROM reuse_check_tests t WHERE t.check_id = c.check_id) AS tests,
              (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.decided_at, d.decision_id), '[]'::jsonb) FROM reuse_decisions d WHERE d.check_id = c.check_id) AS decisions
         FROM reuse_checks c WHERE c.check_id = $1::uuid`,
      [checkId],
    );
    if (row === undefined) return undefined;
    return {
      checkId: row.check_id,
      enterprisePatientId: row.enterprise_patient_id,
      requestingFacility: row.requesting_facility,
      purpose: row.purpose,
      ruleSetVersion: row.rule_set_version,
      at: row.checked_for,
      checkedAt: row.checked_at,
      requestedBy: row.requested_by,
      patientGivenAs: row.patient_given_as,
      tests: row.tests.map((t) => ({
        position: t.position,
        testCode: t.test_code,
        askedAs: t.asked_as,
        catalogueCode: t.catalogue_code,
        consentCategory: t.consent_category,
        outcome: t.outcome,
        reason: t.reason,
        resultId: t.result_id,
        resultVersion: t.result_version,
        performingFacility: t.performing_facility,
        validUntil: date(t.valid_until),
        windowFrom: t.window_from,
        priceVnd: t.price_vnd,
      })),
      decisions: row.decisions.map((d) => ({
        decisionId: d.decision_id,
        checkId: d.check_id,
        testCode: d.test_code,
        decision: d.decision,
        retestReason: d.retest_reason,
        resultId: d.result_id,
        priceAvoidedVnd: d.price_avoided_vnd,
        ruleSetVersion: d.rule_set_version,
        decidedAt: new Date(d.decided_at),
        decidedBy: d.decided_by,
      })),
    };
  }

  insertDecision(tx: Tx, d: StoredDecision): void {
    tx.write(
      (p) => `INSERT INTO reuse_decisions (decision_id, check_id, test_code, decision, retest_reason, result_id, price_avoided_vnd, rule_set_version, decided_at, decided_by)
        VALUES (${p(d.decisionId)}::uuid, ${p(d.checkId)}::uuid, ${p(d.testCode)}, ${p(d.decision)}, ${p(d.retestReason)}, ${p(d.resultId)}::uuid,
                ${p(d.priceAvoidedVnd)}::integer, ${p(d.ruleSetVersion)}, ${p(d.decidedAt)}::timestamptz, ${p(d.decidedBy)})`,
    );
  }
}
