import type { Tx } from '@lienthong/persistence';

/**
 * Tells every replica, when (and only if) the transaction commits, that these patients' consent
 * state changed, so each drops what it cached. Postgres NOTIFY is delivered at commit: a reader can
 * never re-cache the old state after the signal. Use cases that answer a caller also invalidate the
 * cache themselves after commit, so the very next decision anywhere sees the change.
 */
export abstract class ConsentChangeSignal {
  abstract changed(tx: Tx, enterprisePatientIds: readonly string[]): void;
}
