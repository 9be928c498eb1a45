import type { Db, Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type ResultCounts } from '../../domain/versioning';
import { SubmissionStore, type SubmissionView, type VisitIssue, type VisitOutcome, type VisitReport } from '../../ports/submission-store.port';

interface VisitRow {
  position: number;
  ma_lk: string | null;
  outcome: VisitOutcome;
  results: ResultCounts;
  errors: VisitIssue[];
}

/** `submissions` and `submission_visits`, each statement once. */
@Injectable()
export class SubmissionRepository extends SubmissionStore {
  create(tx: Tx, s: { readonly submissionId: string; readonly facilityCode: string; readonly submittedBy: string; readonly receivedAt: Date }): void {
    tx.write(
      (p) => `INSERT INTO submissions (submission_id, facility_code, submitted_by, received_at)
        VALUES (${p(s.submissionId)}::uuid, ${p(s.facilityCode)}, ${p(s.submittedBy)}, ${p(s.receivedAt)}::timestamptz)`,
    );
  }

  recordVisit(tx: Tx, submissionId: string, report: VisitReport, visitId: string | null): void {
    tx.write(
      (p) => `INSERT INTO submission_visits (submission_id, position, ma_lk, visit_id, outcome, results, errors, updated_at)
        VALUES (${p(submissionId)}::uuid, ${p(report.index)}::integer, ${p(report.maLk)}, ${p(visitId)}::uuid, ${p(report.outcome)},
                ${p(JSON.stringify(report.results))}::jsonb, ${p(JSON.stringify(report.errors))}::jsonb, now())`,
    );
  }

  settle(tx: Tx, visitId: string, outcome: VisitOutcome, results: ResultCounts, errors: readonly VisitIssue[]): void {
    // `errors` point into the visit (`/xml1/SO_CCCD`): each report prefixes its own position in its file.
    tx.write(
      (p) => `UPDATE submission_visits sv SET outcome = ${p(outcome)}, results = ${p(JSON.stringify(results))}::jsonb,
          errors = sv.errors || (SELECT coalesce(jsonb_agg(e || jsonb_build_object('pointer', '#/visits/' || sv.position || (e ->> 'pointer'))), '[]'::jsonb)
                                   FROM jsonb_array_elements(${p(JSON.stringify(errors))}::jsonb) AS e),
          updated_at = now()
        WHERE sv.visit_id = ${p(visitId)}::uuid AND sv.outcome = 'pending-patient'`,
    );
  }

  async find(db: Db, submissionId: string, facilityCode: string): Promise<SubmissionView | undefined> {
    const [head] = await db.query<{ received_at: Date }>(`SELECT received_at FROM submissions WHERE submission_id = $1::uuid AND facility_code = $2`, [submissionId, facilityCode]);
    if (head === undefined) return undefined;
    const rows = await db.query<VisitRow>(
      `SELECT position, ma_lk, outcome, results, errors FROM submission_visits WHERE submission_id = $1::uuid ORDER BY position`,
      [submissionId],
    );
    return {
      submissionId,
      facilityCode,
      receivedAt: head.received_at,
      visits: rows.map((r) => ({ index: r.position, maLk: r.ma_lk, outcome: r.outcome, results: r.results, errors: r.errors })),
    };
  }
}
