import { type Tx } from '@lienthong/persistence';

/** Remembers the answer to a request made with an Idempotency-Key (read back by the registration read). */
export abstract class IdempotencyStore {
  abstract remember(tx: Tx, entry: { facilityCode: string; key: string; operation: string; requestHash: Buffer; response: unknown; at: Date }): void;
}
