import { type DataSource } from 'typeorm';
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

  async flush(): Promise<void> {
    const pending = this.batch.take();
    if (pending) await this.target.query(pending.sql, pending.params);
  }
}

/**
 * The unit of work on a TypeORM DataSource (its pg pool). A transaction costs BEGIN (with its advisory
 * locks, one simple-protocol message: the keys are 64-bit integers we format, never client input),
 * one round trip per read, one for all queued writes, and COMMIT.
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
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let open = false;
    try {
      open = true;
      await runner.query(locks.length === 0 ? 'BEGIN' : `BEGIN; SELECT ${locks.map((k) => `pg_advisory_xact_lock(${k.toString()})`).join(', ')}`);
      const tx = new QueuedTx(runner);
      const result = await work(tx);
      await tx.flush();
      await runner.query('COMMIT');
      open = false;
      return result;
    } catch (error) {
      if (open) {
        try {
          await runner.query('ROLLBACK');
        } catch {
          // the connection is broken; release() below discards it
        }
      }
      throw error;
    } finally {
      await runner.release();
    }
  }

  async read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = new QueuedTx(this.dataSource);
    const result = await work(tx);
    await tx.flush();
    return result;
  }
}
