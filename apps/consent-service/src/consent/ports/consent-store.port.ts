import type { Db, Tx } from '@lienthong/persistence';
import { type Consent } from '../domain/consent';

/** Where consents are kept. Writes queue in the caller's unit of work; reads take any `Db`. */
export abstract class ConsentStore {
  abstract insert(tx: Tx, record: Consent): void;
  abstract findById(db: Db, id: string): Promise<Consent | undefined>;
}
