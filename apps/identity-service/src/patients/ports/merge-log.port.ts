import { type Tx } from '@lienthong/persistence';
import { type MovedLink } from '../domain/patient';

export interface MergeRecord {
  readonly id: string;
  readonly survivorId: string;
  readonly mergedId: string;
  readonly movedLinks: readonly MovedLink[];
  readonly movedIdentifierIds: readonly string[];
  readonly mergedBy: string;
  readonly createdAt: Date;
  readonly undoneAt: Date | null;
}

/** Every merge, with exactly what it moved, so an unmerge can move that back. */
export abstract class MergeLog {
  abstract record(tx: Tx, merge: Omit<MergeRecord, 'undoneAt'>): void;
  abstract lockForUndo(tx: Tx, id: string): Promise<MergeRecord | undefined>;
  abstract markUndone(tx: Tx, id: string, at: Date, by: string): void;
}
