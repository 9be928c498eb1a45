import { type EntityManager } from 'typeorm';

/**
 * Several INSERTs sent as ONE statement (one round trip): each becomes a data-modifying CTE of
 * `WITH w0 AS (INSERT …), w1 AS (INSERT …) SELECT …`. Postgres runs every data-modifying CTE to
 * completion whether or not it is referenced, all on one snapshot; foreign-key checks fire at the end
 * of the statement, so a child row may reference a parent inserted by another CTE of the same batch.
 * Never put two writes of the same row in one batch (they would not see each other).
 */
export class SqlBatch {
  private readonly values: unknown[] = [];
  private readonly writes: string[] = [];
  private readonly selects: string[] = [];

  /** A placeholder for `value` ($n). */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** Adds a data-modifying statement built with `param`. */
  write(build: (p: (value: unknown) => string) => string): this {
    this.writes.push(build((v) => this.param(v)));
    return this;
  }

  /** An expression evaluated once in the final SELECT (e.g. pg_notify). */
  select(expression: string): this {
    this.selects.push(expression);
    return this;
  }

  get isEmpty(): boolean {
    return this.writes.length === 0 && this.selects.length === 0;
  }

  async run(manager: EntityManager): Promise<void> {
    if (this.isEmpty) return;
    const ctes = this.writes.map((w, i) => `w${i} AS (${w})`);
    const sql = `${ctes.length ? `WITH ${ctes.join(',\n')}\n` : ''}SELECT ${this.selects.length ? this.selects.join(', ') : '1'}`;
    await manager.query(sql, this.values);
  }
}
