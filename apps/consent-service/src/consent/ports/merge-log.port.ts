import type { Tx } from '@lienthong/persistence';

/** A merge as this service applied it. */
export interface AppliedMerge {
  readonly mergeId: string;
  readonly survivorId: string;
  readonly mergedId: string;
  /** The consents the merge moved to the survivor: an unmerge moves exactly these back. */
  readonly movedConsentIds: readonly string[];
  readonly unmergedAt: Date | null;
}

/**
 * The merges identity-service announced, with the consents each moved (`patient_merges`), and the
 * moves themselves: a consent's current patient changes, the patient it was recorded for never does.
 */
export abstract class MergeLog {
  /** The merge applied under this id, locked for the rest of the transaction; undefined if none. */
  abstract find(tx: Tx, mergeId: string): Promise<AppliedMerge | undefined>;
  /** The consents the patient holds now, locked so they are moved as read. */
  abstract consentsHeldBy(tx: Tx, enterprisePatientId: string): Promise<string[]>;
  /** Moves the listed consents to the survivor and records the merge. */
  abstract recordMerge(tx: Tx, merge: Omit<AppliedMerge, 'unmergedAt'>, at: Date): void;
  /** Moves the merge's consents back to the patient it merged away and marks the merge undone. */
  abstract recordUnmerge(tx: Tx, merge: AppliedMerge, at: Date): void;
}
