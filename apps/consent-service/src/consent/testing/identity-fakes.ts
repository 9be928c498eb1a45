import { type Tx } from '@lienthong/persistence';
import { useTx } from '@lienthong/testing';
import { type AppliedMerge, MergeLog } from '../ports/merge-log.port';

/*
 * The merge log over Maps, for the identity-event use cases' specs (the directories, the audit trail
 * and the change signal they also use are consent-fakes.ts'): writes apply at once, reads see them.
 * The SQL behind the real one is covered by identity-events.int-spec.ts.
 */

export class InMemoryMergeLog extends MergeLog {
  /** consent id → the patient holding it now. */
  readonly consents = new Map<string, string>();
  readonly merges = new Map<string, AppliedMerge>();

  find(tx: Tx, mergeId: string): Promise<AppliedMerge | undefined> {
    useTx(tx);
    return Promise.resolve(this.merges.get(mergeId));
  }

  consentsHeldBy(tx: Tx, enterprisePatientId: string): Promise<string[]> {
    useTx(tx);
    return Promise.resolve([...this.consents].filter(([, holder]) => holder === enterprisePatientId).map(([id]) => id));
  }

  recordMerge(tx: Tx, merge: Omit<AppliedMerge, 'unmergedAt'>): void {
    useTx(tx);
    for (const id of merge.movedConsentIds) this.consents.set(id, merge.survivorId);
    this.merges.set(merge.mergeId, { ...merge, unmergedAt: null });
  }

  recordUnmerge(tx: Tx, merge: AppliedMerge, at: Date): void {
    useTx(tx);
    for (const id of merge.movedConsentIds) this.consents.set(id, merge.mergedId);
    this.merges.set(merge.mergeId, { ...merge, unmergedAt: at });
  }

  consentsOf(enterprisePatientId: string): string[] {
    return [...this.consents].filter(([, holder]) => holder === enterprisePatientId).map(([id]) => id).sort();
  }
}
