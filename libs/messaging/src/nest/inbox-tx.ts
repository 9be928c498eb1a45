import { type SqlParam, type Tx } from '@lienthong/persistence';
import { type EntityManager } from 'typeorm';

/**
 * The inbox transaction as a unit-of-work `Tx`, so consumer-side use cases take the same port type as
 * HTTP-side ones. Queued writes are sent, in order, before the next read and when the handler
 * returns (before the inbox commits). This adapter exists only because the inbox transaction is an
 * EntityManager; it goes away once @lienthong/persistence can wrap a transaction it did not open.
 */
export class InboxTx implements Tx {
  private pending: { sql: string; params: unknown[] }[] = [];
  private signals: string[] = [];

  constructor(private readonly manager: EntityManager) {}

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    await this.flush();
    return (await this.manager.query(sql, [...params])) as R[];
  }

  write(build: (p: SqlParam) => string): void {
    const params: unknown[] = [];
    const sql = build((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    this.pending.push({ sql, params });
  }

  signal(expression: string): void {
    if (!this.signals.includes(expression)) this.signals.push(expression);
  }

  /** Sends what is queued; the transport calls it after the handler, inside the inbox transaction. */
  async flush(): Promise<void> {
    const writes = this.pending;
    const signals = this.signals;
    this.pending = [];
    this.signals = [];
    for (const { sql, params } of writes) await this.manager.query(sql, params);
    if (signals.length > 0) await this.manager.query(`SELECT ${signals.join(', ')}`);
  }
}
