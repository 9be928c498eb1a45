import { type DataSource, type QueryRunner } from 'typeorm';
import { type RunOptions, type SqlParam, type Tx, UnitOfWork } from './unit-of-work';
import { WriteBatch } from './write-batch';

/** Anything TypeORM that runs a statement: a QueryRunner, an EntityManager, the DataSource's pool. */
export interface StatementTarget {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A `Tx` whose owner sends the queued writes (`flush`) before it commits. */
export interface FlushableTx extends Tx {
  flush(): Promise<void>;
}

/**
 * A `Tx` over a transaction somebody else opened and will commit — the inbox consumer's, for
 * example: the owner calls `flush()` after the work and before COMMIT.
 */
export function queuedTx(target: StatementTarget): FlushableTx {
  return new QueuedTx(target);
}

class QueuedTx implements FlushableTx {
  private readonly batch = new WriteBatch();

  constructor(private readonly target: StatementTarget) {}

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    await this.flush();
    return (await this.target.query(sql, [...params])) as R[];
  }

  write(build: (p: SqlParam) => string): void {
    this.batch.write(build);
  }

  signal(expression: string): void {
    this.batch.signal(expression);
  }

  /** Sends the queued writes as one statement — to the transaction's target, or to `target` (autocommit). */
  async flush(target: StatementTarget = this.target): Promise<void> {
    const pending = this.batch.take();
    if (pending) await target.query(pending.sql, pending.params);
  }
}

/**
 * A transaction that BEGINs with its first statement. Work that only queues writes never needs it:
 * its writes go as ONE statement, atomic on its own (an implicit transaction), so BEGIN and COMMIT
 * would be two round trips for nothing.
 */
class LazyTransaction implements StatementTarget {
  begun = false;

  constructor(
    readonly guarded: GuardedRunner,
    private readonly beginSql: string,
  ) {}

  async begin(): Promise<void> {
    this.begun = true;
    await this.guarded.query(this.beginSql);
  }

  async query(sql: string, params?: unknown[]): Promise<unknown> {
    if (!this.begun) await this.begin();
    return this.guarded.query(sql, params);
  }
}

/**
 * True when a statement failed without an answer from the server (no SQLSTATE): the client's
 * query_timeout, a dropped or reset socket. The connection is then in an unknown state — the server
 * may still be running the statement, or be gone — so it is neither rolled back on (that would wait
 * the whole timeout again) nor returned to the pool; closing it makes the server roll back.
 */
function withoutServerAnswer(error: unknown): boolean {
  const driverError: unknown = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const code = (driverError as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code));
}

/** A QueryRunner's statements, remembering the first that failed without a server answer. */
class GuardedRunner implements StatementTarget {
  broken: Error | undefined;

  constructor(readonly runner: QueryRunner) {}

  async query(sql: string, params?: unknown[]): Promise<unknown> {
    try {
      return await this.runner.query(sql, params);
    } catch (error) {
      if (this.broken === undefined && withoutServerAnswer(error)) this.broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  }

  /** Back to the pool, or — broken — out of it (pg-pool destroys a client released with an error). */
  async release(): Promise<void> {
    const runner = this.runner as QueryRunner & { releasePostgresConnection?: (error?: Error) => Promise<void> };
    if (this.broken && runner.releasePostgresConnection) await runner.releasePostgresConnection(this.broken);
    else await runner.release();
  }
}

/** Reads outside a transaction: each statement on any pooled connection, a broken one discarded. */
class PooledStatements implements StatementTarget {
  constructor(private readonly dataSource: DataSource) {}

  async query(sql: string, params?: unknown[]): Promise<unknown> {
    const guarded = new GuardedRunner(this.dataSource.createQueryRunner());
    try {
      return await guarded.query(sql, params);
    } finally {
      await guarded.release();
    }
  }
}

/**
 * The unit of work on a TypeORM DataSource (its pg pool). A transaction costs BEGIN (with its advisory
 * locks, one simple-protocol message: the keys are 64-bit integers we format, never client input),
 * one round trip per read, one for all queued writes, and COMMIT. Work without locks that reads
 * nothing costs one round trip: its queued writes, as one statement, with no BEGIN or COMMIT. Every
 * wait is bounded by the pool's timeouts (`postgresClientConfig`), so an unreachable or silent
 * database fails the work in seconds.
 */
export class TypeormUnitOfWork extends UnitOfWork {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run<T>(work: (tx: Tx) => Promise<T>, options: RunOptions = {}): Promise<T> {
    const locks = [...new Set(options.locks ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of locks) {
      if (typeof key !== 'bigint') throw new TypeError('advisory lock keys must be bigints');
    }
    const guarded = new GuardedRunner(this.dataSource.createQueryRunner());
    await guarded.runner.connect();
    const transaction = new LazyTransaction(guarded, locks.length === 0 ? 'BEGIN' : `BEGIN; SELECT ${locks.map((k) => `pg_advisory_xact_lock(${k.toString()})`).join(', ')}`);
    let open = true;
    try {
      if (locks.length > 0) await transaction.begin();
      const tx = new QueuedTx(transaction);
      const result = await work(tx);
      if (transaction.begun) {
        await tx.flush();
        await guarded.query('COMMIT');
      } else {
        await tx.flush(guarded);
      }
      open = false;
      return result;
    } catch (error) {
      if (open && transaction.begun && !guarded.broken) {
        try {
          await guarded.query('ROLLBACK');
        } catch {
          // the connection is broken; release() below discards it
        }
      }
      throw error;
    } finally {
      await guarded.release();
    }
  }

  async read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = new QueuedTx(new PooledStatements(this.dataSource));
    const result = await work(tx);
    await tx.flush();
    return result;
  }
}
