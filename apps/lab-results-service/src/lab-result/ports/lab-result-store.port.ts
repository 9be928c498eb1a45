import type { Db, Tx } from '@lienthong/persistence';
import { type LabResult } from '../domain/lab-result';

/** Where lab-results are kept. Writes queue in the caller's unit of work; reads take any `Db`. */
export abstract class LabResultStore {
  abstract insert(tx: Tx, record: LabResult): void;
  abstract findById(db: Db, id: string): Promise<LabResult | undefined>;
}
