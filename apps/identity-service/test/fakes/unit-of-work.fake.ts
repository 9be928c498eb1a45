import { decodeCloudEvent } from '@lienthong/contracts';
import { OUTBOX_TABLE } from '@lienthong/messaging';
import { UnitOfWork, type Db, type RunOptions, type Tx } from '@lienthong/persistence';

/** An in-memory port whose tables the fake unit of work can put back when the work throws. */
export interface Snapshottable {
  /** Copies the current state; calling the returned function restores it. */
  snapshot(): () => void;
}

/** A statement a port queued (only the real OutboxWriter queues any: the in-memory ports apply at once). */
export interface QueuedWrite {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * The `Tx` (and `Db`) a use case receives. It sends no SQL: the in-memory ports apply their writes
 * at once, and what the real OutboxWriter queues is kept to be decoded after commit. It refuses use
 * once its unit of work has ended, so a port used outside its transaction fails the spec.
 */
export class FakeTx implements Tx {
  readonly writes: QueuedWrite[] = [];
  readonly signals: string[] = [];
  private open = true;

  query<R>(): Promise<R[]> {
    return Promise.reject(new Error('the in-memory ports send no SQL; a use case must not query the Tx itself'));
  }

  write(build: (p: (value: unknown) => string) => string): void {
    this.assertOpen();
    const params: unknown[] = [];
    const sql = build((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    this.writes.push({ sql, params });
  }

  signal(expression: string): void {
    this.assertOpen();
    this.signals.push(expression);
  }

  end(): void {
    this.open = false;
  }

  assertOpen(): void {
    if (!this.open) throw new Error('this Tx belongs to a unit of work that has already ended');
  }
}

/** What in-memory ports call with the `Db`/`Tx` they are handed: it must be a live FakeTx. */
export function useTx(db: Db): void {
  if (!(db instanceof FakeTx)) throw new Error('in-memory ports only accept the FakeTx of a FakeUnitOfWork');
  db.assertOpen();
}

/** An event as the relay would publish it: decoded from the committed outbox row with the real decoder. */
export interface PublishedEvent {
  readonly topic: string;
  /** The Kafka message key. */
  readonly key: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

export interface CommittedWork {
  readonly kind: 'run' | 'read';
  readonly locks: readonly bigint[];
  readonly writes: readonly QueuedWrite[];
  readonly signals: readonly string[];
}

/**
 * `UnitOfWork` over in-memory ports. The ports apply writes immediately (so a read sees the
 * transaction's own writes, as in Postgres); when the work throws, every port is put back as it was
 * and the queued outbox rows are dropped, so a failed command leaves nothing behind. (A real `read`
 * that throws keeps writes already flushed by a later read; no use case relies on that.)
 */
export class FakeUnitOfWork extends UnitOfWork {
  readonly committed: CommittedWork[] = [];
  rolledBack = 0;

  constructor(private readonly ports: readonly Snapshottable[]) {
    super();
  }

  run<T>(work: (tx: Tx) => Promise<T>, options?: RunOptions): Promise<T> {
    return this.execute('run', work, options?.locks ?? []);
  }

  read<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.execute('read', work, []);
  }

  /** Every event committed so far, in commit order. */
  events(): PublishedEvent[] {
    return this.committed.flatMap((c) => c.writes.filter((w) => w.sql.startsWith(`INSERT INTO ${OUTBOX_TABLE} `)).flatMap(decodeOutboxInsert));
  }

  private async execute<T>(kind: CommittedWork['kind'], work: (tx: Tx) => Promise<T>, locks: readonly bigint[]): Promise<T> {
    const restores = this.ports.map((p) => p.snapshot());
    const tx = new FakeTx();
    try {
      const result = await work(tx);
      this.committed.push({ kind, locks, writes: tx.writes, signals: tx.signals });
      return result;
    } catch (error) {
      for (const restore of restores) restore();
      this.rolledBack += 1;
      throw error;
    } finally {
      tx.end();
    }
  }
}

/** The OutboxWriter's one INSERT … unnest($topics, $keys, $headers, $values), back into events. */
function decodeOutboxInsert(write: QueuedWrite): PublishedEvent[] {
  const [topics, keys, headers, values] = write.params as [string[], string[], string[], Buffer[]];
  return topics.map((topic, i) => {
    const event = decodeCloudEvent({ headers: JSON.parse(headers[i] ?? '{}') as Record<string, string>, value: values[i] ?? null });
    return { topic, key: keys[i] ?? '', type: event.type, data: event.data as Record<string, unknown> };
  });
}
