import { type Db, type Tx, UnitOfWork } from '@lienthong/persistence';
import { type LabResult } from '../domain/lab-result';
import { LabResultStore } from '../ports/lab-result-store.port';

/** A transaction of the in-memory fakes: stores queue their changes here; they apply only at commit. */
class InMemoryTx implements Tx {
  readonly onCommit: (() => void)[] = [];

  query<R>(): Promise<R[]> {
    return Promise.reject(new Error('the in-memory fakes run no SQL: give the use case in-memory stores'));
  }

  write(): void {
    throw new Error('the in-memory fakes run no SQL: give the use case in-memory stores');
  }

  signal(): void {
    // Nothing to wake: no relay reads the in-memory stores.
  }
}

function queue(tx: Tx | Db, change: () => void): void {
  if (!(tx instanceof InMemoryTx)) throw new Error('the in-memory stores need the InMemoryUnitOfWork transaction');
  tx.onCommit.push(change);
}

/** Applies what the work queued when it resolves, nothing when it throws — as Postgres would. */
export class InMemoryUnitOfWork extends UnitOfWork {
  commits = 0;

  async run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const result = await this.apply(work);
    this.commits++;
    return result;
  }

  /** Reads may queue writes too (an audit row); they apply as one statement would, with no commit counted. */
  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.apply(work);
  }

  private async apply<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = new InMemoryTx();
    const result = await work(tx);
    for (const change of tx.onCommit) change();
    return result;
  }
}

export class InMemoryLabResultStore extends LabResultStore {
  readonly records = new Map<string, LabResult>();

  insert(tx: Tx, record: LabResult): void {
    queue(tx, () => this.records.set(record.id, record));
  }

  findById(_db: Db, id: string): Promise<LabResult | undefined> {
    return Promise.resolve(this.records.get(id));
  }
}
