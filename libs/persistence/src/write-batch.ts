import { type SqlParam } from './unit-of-work';

/**
 * Queued writes sent as ONE statement: `WITH w0 AS (INSERT …), w1 AS (UPDATE …) SELECT <signals>`.
 * Postgres runs every data-modifying CTE to completion whether or not it is referenced.
 */
export class WriteBatch {
  private values: unknown[] = [];
  private writes: string[] = [];
  private signals: string[] = [];

  write(build: (p: SqlParam) => string): void {
    this.writes.push(
      build((value) => {
        this.values.push(value);
        return `$${this.values.length}`;
      }),
    );
  }

  signal(expression: string): void {
    if (!this.signals.includes(expression)) this.signals.push(expression);
  }

  get isEmpty(): boolean {
    return this.writes.length === 0 && this.signals.length === 0;
  }

  /** The statement and its parameters, and the batch emptied for what comes next. */
  take(): { sql: string; params: unknown[] } | undefined {
    if (this.isEmpty) return undefined;
    const ctes = this.writes.map((w, i) => `w${i} AS (${w})`);
    const sql = `${ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n` : ''}SELECT ${this.signals.length > 0 ? this.signals.join(', ') : '1'}`;
    const params = this.values;
    this.values = [];
    this.writes = [];
    this.signals = [];
    return { sql, params };
  }
}
