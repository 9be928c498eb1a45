import { WriteBatch } from './write-batch';

describe('WriteBatch', () => {
  it('numbers parameters across statements and folds them into one statement', () => {
    const batch = new WriteBatch();
    batch.write((p) => `INSERT INTO a VALUES (${p(1)}, ${p('x')})`);
    batch.write((p) => `UPDATE b SET v = ${p(true)}`);
    batch.signal(`pg_notify('c', '')`);
    batch.signal(`pg_notify('c', '')`);
    expect(batch.take()).toEqual({
      sql: `WITH w0 AS (INSERT INTO a VALUES ($1, $2)),\nw1 AS (UPDATE b SET v = $3)\nSELECT pg_notify('c', '')`,
      params: [1, 'x', true],
    });
  });

  it('is empty again once taken, and has nothing to send when empty', () => {
    const batch = new WriteBatch();
    batch.write((p) => `DELETE FROM a WHERE id = ${p(1)}`);
    batch.take();
    expect(batch.isEmpty).toBe(true);
    expect(batch.take()).toBeUndefined();
  });
});
