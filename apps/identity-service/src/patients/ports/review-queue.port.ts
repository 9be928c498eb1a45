import { type Db, type Tx } from '@lienthong/persistence';
import { type FieldComparison } from '../domain/patient';

export type ReviewStatus = 'open' | 'confirmed' | 'rejected';
/**
 * `duplicate`: a new patient that is probably an existing one (confirm merges them). `conflict`: a
 * facility's report contradicts a CCCD-verified value of the same patient (incoming and candidate
 * are that patient; the comparisons name the disputed fields); at most one is open per link.
 */
export type ReviewKind = 'duplicate' | 'conflict';

/** A probable duplicate waiting for a data steward: scores and per-field outcomes, no identifier values. */
export interface ReviewItem {
  readonly id: string;
  readonly kind: ReviewKind;
  readonly incomingPatientId: string;
  readonly candidatePatientId: string;
  readonly facilityCode: string;
  readonly localId: string;
  readonly score: number;
  readonly comparisons: readonly FieldComparison[];
  readonly warnings: readonly string[];
  readonly status: ReviewStatus;
  readonly createdAt: Date;
}

export abstract class ReviewQueue {
  /** Opens the item; a conflict while one is already open for the same link is not opened twice. */
  abstract open(tx: Tx, item: Omit<ReviewItem, 'status'>): void;
  /** The item, locked for a decision (FOR UPDATE). */
  abstract lockForDecision(tx: Tx, id: string): Promise<ReviewItem | undefined>;
  abstract close(tx: Tx, id: string, decision: { status: 'confirmed' | 'rejected'; by: string; at: Date; mergeId: string | null }): void;
  /** Open items oldest first (ids are UUIDv7), after `cursor`. */
  abstract listOpen(db: Db, cursor: string | undefined, limit: number): Promise<ReviewItem[]>;
}
