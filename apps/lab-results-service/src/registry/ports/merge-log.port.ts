import type { Tx } from '@lienthong/persistence';

/** A merge as this service applied it. */
export interface AppliedMerge {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly mergedId: string;
  /** The stored results the merge moved to the survivor: an unmerge moves exactly these back. */
  readonly movedResultIds: readonly string[];
  readonly unmergedAt: Date | null;
}

/**
 * The merges identity-service announced (`patient_merges`) with the results each moved, and the one
 * move of stored results between patients (`lab_results.enterprise_patient_id`): a result follows the
 * patient's survivor; its versions keep whom they were recorded for.
 */
export abstract class MergeLog {
  /** The merge applied under this id, locked for the rest of the transaction; undefined if none. */
  abstract find(tx: Tx, mergeId: string): Promise<AppliedMerge | undefined>;
  /** The results the patient holds now, locked so they are moved as read. */
  abstract resultsHeldBy(tx: Tx, enterprisePatientId: string): Promise<string[]>;
  /** Moves the listed results to the survivor and records the merge. */
  abstract recordMerge(tx: Tx, merge: Omit<AppliedMerge, 'unmergedAt'>, at: Date): void;
  /** Moves the merge's results back to the patient it merged away and marks the merge undone. */
  abstract recordUnmerge(tx: Tx, merge: AppliedMerge, at: Date): void;
}
