import type { Tx } from '@lienthong/persistence';
import { type ConsentScope } from '../domain/consent';

/** A grant whose period has ended and whose end nobody has announced yet. */
export interface DueExpiry {
  readonly consentId: string;
  readonly version: number;
  /** The consent's patient now (a merge moves it to the survivor). */
  readonly enterprisePatientId: string;
  readonly endsAt: Date;
  /** The scope of the version that ended. */
  readonly scope: ConsentScope;
}

/**
 * The ends of grant periods still to be announced (`consent_expiries`). Every replica polls it: a
 * claim locks the rows it returns and skips those another replica holds, so each end is announced
 * exactly once, whichever replica gets there first.
 */
export abstract class ExpiryQueue {
  /** Up to `limit` ends due by the database's clock (not published, not superseded), oldest first, locked until the unit of work ends. */
  abstract claimDue(tx: Tx, limit: number): Promise<DueExpiry[]>;
  /** Marks claimed ends as announced, with the unit of work that announces them. */
  abstract markPublished(tx: Tx, expiries: readonly Pick<DueExpiry, 'consentId' | 'version'>[], at: Date): void;
}
