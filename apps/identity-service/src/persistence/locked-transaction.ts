import { type DataSource, type EntityManager } from 'typeorm';

/**
 * A transaction that starts with transaction-scoped advisory locks, taken in the same round trip as
 * BEGIN: `BEGIN; SELECT pg_advisory_xact_lock(…), …` goes as one simple-protocol message (the keys
 * are 64-bit integers formatted by us, never client input). Locks are taken in a fixed order so two
 * transactions never deadlock. Every later statement runs in READ COMMITTED with a fresh snapshot,
 * taken after the locks were granted, so it sees whatever the previous holder committed.
 *
 * Rolls back on any error; commits when `fn` resolves. Replaces `dataSource.transaction` + a lock
 * statement (two round trips) on the hot registration path.
 */
export async function inLockedTransaction<T>(dataSource: DataSource, lockKeys: readonly bigint[], fn: (manager: EntityManager) => Promise<T>): Promise<T> {
  const sorted = [...new Set(lockKeys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const key of sorted) {
    if (typeof key !== 'bigint') throw new TypeError('advisory lock keys must be bigints');
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  let open = false;
  try {
    const begin = sorted.length === 0 ? 'BEGIN' : `BEGIN; SELECT ${sorted.map((k) => `pg_advisory_xact_lock(${k.toString()})`).join(', ')}`;
    open = true;
    await runner.query(begin);
    const result = await fn(runner.manager);
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
