import { type Db, type Tx } from '@lienthong/persistence';
import { type FieldComparison } from '../domain/patient';

export type ReviewStatus = 'open' | 'confirmed' | 'rejected';

/** A probable duplicate waiting for a data steward: scores and per-field outcomes, no identifier values. */
export interface ReviewItem {
  readonly id: string;
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
  abstract open(tx: Tx, item: Omit<ReviewItem, 'status'>): void;
  /** The item, locked for a decision (FOR UPDATE). */
  abstract lockForDecision(tx: Tx, id: string): Promise<ReviewItem | undefined>;
  abstract close(tx: Tx, id: string, decision: { status: 'confirmed' | 'rejected'; by: string; at: Date; mergeId: string | null }): void;
  /** Open items oldest first (ids are UUIDv7), after `cursor`. */
  abstract listOpen(db: Db, cursor: string | undefined, limit: number): Promise<ReviewItem[]>;
}
