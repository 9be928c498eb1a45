import type { Db, Tx } from '@lienthong/persistence';
import { type ResultCounts } from '../domain/versioning';

export type VisitOutcome = 'stored' | 'unchanged' | 'pending-patient' | 'rejected';

/** One problem of a visit, with its JSON pointer into the file (`#/visits/3/xml4/2/NGAY_KQ`). */
export interface VisitIssue {
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** What happened to one visit of a file. */
export interface VisitReport {
  readonly index: number;
  readonly maLk: string | null;
  readonly outcome: VisitOutcome;
  readonly results: ResultCounts;
  readonly errors: readonly VisitIssue[];
}

export interface SubmissionView {
  readonly submissionId: string;
  readonly facilityCode: string;
  readonly receivedAt: Date;
  readonly visits: readonly VisitReport[];
}

/** `submissions` and `submission_visits`: what each uploaded file contained and what became of each visit. */
export abstract class SubmissionStore {
  abstract create(tx: Tx, submission: { readonly submissionId: string; readonly facilityCode: string; readonly submittedBy: string; readonly receivedAt: Date }): void;
  /** A visit's outcome in this file; `visitId` links a waiting visit so its resolution updates it. */
  abstract recordVisit(tx: Tx, submissionId: string, report: VisitReport, visitId: string | null): void;
  /** A waiting visit is settled: every report still saying `pending-patient` for it now says `outcome`. */
  abstract settle(tx: Tx, visitId: string, outcome: VisitOutcome, results: ResultCounts, errors: readonly VisitIssue[]): void;
  /** The submission and its visits in file order, if it is `facilityCode`'s. */
  abstract find(db: Db, submissionId: string, facilityCode: string): Promise<SubmissionView | undefined>;
}
