/**
 * The unit of work, as use cases and ports see it: framework-free, so a use case composes a change
 * without knowing SQL or the driver, and a repository states each statement once.
 *
 *   await uow.run(async (tx) => {
 *     const patient = await patients.find(tx, id);          // a read: runs now
 *     patients.rename(tx, id, name);                        // writes: queued …
 *     outbox.append(tx, [renamed]);
 *     audit.append(tx, actor, [{ action: 'patient.rename', … }]);
 *   });                                                     // … and sent together, in ONE round trip, then COMMIT
 */

/** Turns a value into a placeholder of the statement being built (`$n`). */
export type SqlParam = (value: unknown) => string;

/** Something statements can be sent to: a transaction, or the pool for reads outside one. */
export interface Db {
  /**
   * Runs one statement now and returns its rows. Inside a transaction, writes queued before it are
   * sent first, so a read always sees the transaction's own writes.
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** A transaction: reads run at once; writes are queued and sent together (see `write`). */
export interface Tx extends Db {
  /**
   * Queues a data-modifying statement built with `p` for its parameters. Queued writes go to Postgres
   * as ONE statement (data-modifying CTEs) before the next read or at commit. They all run on one
   * snapshot, so never queue two writes of the same row between two reads: the second would not see
   * the first. Foreign keys are checked at the end of the statement, so a child may reference a
   * parent queued in the same batch.
   */
  write(build: (p: SqlParam) => string): void;
  /** Queues an expression evaluated once with the next batch of writes (e.g. `pg_notify(…)`). */
  signal(expression: string): void;
}

export interface RunOptions {
  /**
   * Transaction-scoped advisory locks taken with BEGIN in the same round trip, in a fixed order (two
   * transactions never deadlock on them). Use `advisoryLockKey` to derive them.
   */
  readonly locks?: readonly bigint[];
}

/** The port use cases depend on; `TypeormUnitOfWork` is the Postgres adapter. */
export abstract class UnitOfWork {
  /** Runs `work` in one transaction: commits when it resolves, rolls back when it throws. */
  abstract run<T>(work: (tx: Tx) => Promise<T>, options?: RunOptions): Promise<T>;
  /**
   * Runs reads outside a transaction (each statement on any pooled connection, no BEGIN/COMMIT), for
   * answers that need no isolation. Writes it queues (typically the read's audit row) are sent as ONE
   * statement — atomic on its own — before any later read and before `read` resolves, so the audit is
   * durable before the answer leaves.
   */
  abstract read<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}
