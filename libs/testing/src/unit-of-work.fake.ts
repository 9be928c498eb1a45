/*
 * The in-memory unit of work every service's use-case specs run on (no Nest, no SQL, no test runner).
 *
 * It is shaped like @lienthong/persistence's `UnitOfWork` and `Tx` rather than importing them: the
 * platform libs test themselves with this harness, so it depends on none of them (a use case accepts a
 * `FakeUnitOfWork` as its `UnitOfWork`, a port a `FakeTx` as its `Tx`, structurally).
 */

/** Turns a value into a placeholder of the statement being built (`$n`), as `Tx.write` hands it. */
export type FakeSqlParam = (value: unknown) => string;

/** An in-memory port whose tables the fake unit of work can put back when the work throws. */
export interface Snapshottable {
  /** Copies the current state; calling the returned function restores it. */
  snapshot(): () => void;
}

/** A statement queued on the transaction (the in-memory ports apply theirs at once: only real writers such as the OutboxWriter queue any). */
export interface QueuedWrite {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * The `Tx` (and `Db`) a use case receives. It sends no SQL: the in-memory ports apply their writes
 * at once, and what a real writer queues is kept to be decoded after commit. It refuses use once its
 * unit of work has ended, so a port used outside its transaction fails the spec.
 */
export class FakeTx {
  readonly writes: QueuedWrite[] = [];
  readonly signals: string[] = [];
  private open = true;

  query<R>(): Promise<R[]> {
    return Promise.reject(new Error('the in-memory ports send no SQL; a use case must not query the Tx itself'));
  }

  write(build: (p: FakeSqlParam) => string): void {
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
export function useTx(db: unknown): void {
  if (!(db instanceof FakeTx)) throw new Error('in-memory ports only accept the FakeTx of a FakeUnitOfWork');
  db.assertOpen();
}

/** An event as the relay would publish it, decoded from a committed outbox write. */
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

export interface FakeUnitOfWorkOptions {
  /**
   * The events a queued write carries (none for a statement that is not an outbox insert): pass
   * @lienthong/messaging's `outboxEventsOf` for `events()` to decode what the OutboxWriter queued.
   */
  readonly events?: (write: QueuedWrite) => readonly PublishedEvent[];
}

/**
 * `UnitOfWork` over in-memory ports. The ports apply writes immediately (so a read sees the
 * transaction's own writes, as in Postgres); when the work throws, every port is put back as it was
 * and the queued writes are dropped, so a failed command leaves nothing behind. (A real `read` that
 * throws keeps writes already flushed by a later read; no use case relies on that.)
 */
export class FakeUnitOfWork {
  readonly committed: CommittedWork[] = [];
  rolledBack = 0;

  constructor(
    private readonly ports: readonly Snapshottable[],
    private readonly options: FakeUnitOfWorkOptions = {},
  ) {}

  run<T>(work: (tx: FakeTx) => Promise<T>, options?: { readonly locks?: readonly bigint[] }): Promise<T> {
    return this.execute('run', work, options?.locks ?? []);
  }

  read<T>(work: (tx: FakeTx) => Promise<T>): Promise<T> {
    return this.execute('read', work, []);
  }

  /** Every event committed so far, in commit order. */
  events(): PublishedEvent[] {
    const decode = this.options.events ?? (() => []);
    return this.committed.flatMap((c) => c.writes.flatMap((w) => [...decode(w)]));
  }

  /** How many units of work of `kind` (both when absent) have committed. */
  commits(kind?: CommittedWork['kind']): number {
    return kind === undefined ? this.committed.length : this.committed.filter((c) => c.kind === kind).length;
  }

  private async execute<T>(kind: CommittedWork['kind'], work: (tx: FakeTx) => Promise<T>, locks: readonly bigint[]): Promise<T> {
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
