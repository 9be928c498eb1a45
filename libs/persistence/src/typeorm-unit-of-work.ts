import { type DataSource, type QueryRunner } from 'typeorm';
import { type Db, type RunOptions, type SqlParam, type Tx, UnitOfWork } from './unit-of-work';
import { WriteBatch } from './write-batch';

class QueryRunnerTx implements Tx {
  private readonly batch = new WriteBatch();

  constructor(private readonly runner: QueryRunner) {}

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    await this.flush();
    return (await this.runner.query(sql, [...params])) as R[];
  }

  write(build: (p: SqlParam) => string): void {
    this.batch.write(build);
  }

  signal(expression: string): void {
    this.batch.signal(expression);
  }

  async flush(): Promise<void> {
    const pending = this.batch.take();
    if (pending) await this.runner.query(pending.sql, pending.params);
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
      const tx = new QueryRunnerTx(runner);
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

  async read<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const db: Db = { query: async <R>(sql: string, params: readonly unknown[] = []) => (await this.dataSource.query(sql, [...params])) as R[] };
    return work(db);
  }
}
