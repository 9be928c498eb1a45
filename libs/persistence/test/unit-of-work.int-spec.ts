import { createTestDatabase, type TestDatabase } from '@lienthong/testing';
import { DataSource } from 'typeorm';
import { advisoryLockKey, TypeormUnitOfWork } from '../src';

describe('TypeormUnitOfWork (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let uow: TypeormUnitOfWork;

  beforeAll(async () => {
    db = await createTestDatabase('lt_uow');
    dataSource = new DataSource({ type: 'postgres', url: db.url, extra: { max: 4 } });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL)`);
    await dataSource.query(`CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parent (id))`);
    await dataSource.query(`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`);
    await dataSource.query(`INSERT INTO counter VALUES (1, 0)`);
    uow = new TypeormUnitOfWork(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const count = async (table: string) => Number((await dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);

  it('sends queued writes (a child referencing a parent of the same batch) before a read and commits them', async () => {
    const seen = await uow.run(async (tx) => {
      tx.write((p) => `INSERT INTO parent VALUES (${p(1)}, ${p('Nguyễn Văn An')})`);
      tx.write((p) => `INSERT INTO child VALUES (${p(10)}, ${p(1)})`);
      const rows = await tx.query<{ name: string }>(`SELECT name FROM parent WHERE id = $1`, [1]);
      tx.write((p) => `UPDATE parent SET name = ${p('Nguyễn Văn Bình')} WHERE id = ${p(1)}`);
      return rows.map((r) => r.name);
    });
    expect(seen).toEqual(['Nguyễn Văn An']);
    expect(await dataSource.query(`SELECT name FROM parent`)).toEqual([{ name: 'Nguyễn Văn Bình' }]);
    expect(await count('child')).toBe(1);
  });

  it('leaves nothing behind when the work throws, flushed or not', async () => {
    await expect(
      uow.run(async (tx) => {
        tx.write((p) => `INSERT INTO parent VALUES (${p(2)}, ${p('flushed')})`);
        await tx.query('SELECT 1');
        tx.write((p) => `INSERT INTO parent VALUES (${p(3)}, ${p('queued')})`);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await dataSource.query(`SELECT id FROM parent WHERE id IN (2, 3)`)).toEqual([]);
  });

  it('rolls back the whole batch when one of its statements fails', async () => {
    await expect(
      uow.run(async (tx) => {
        tx.write((p) => `INSERT INTO parent VALUES (${p(4)}, ${p('ok')})`);
        tx.write((p) => `INSERT INTO child VALUES (${p(40)}, ${p(999)})`); // no such parent
      }),
    ).rejects.toThrow(/foreign key/);
    expect(await dataSource.query(`SELECT id FROM parent WHERE id = 4`)).toEqual([]);
  });

  it('sends work that only queues writes as its one statement, without BEGIN or COMMIT; work with a read is a transaction', async () => {
    const sent: string[] = [];
    const spied = new TypeormUnitOfWork(
      Object.assign(Object.create(dataSource) as DataSource, {
        createQueryRunner: () => {
          const runner = dataSource.createQueryRunner();
          const query = runner.query.bind(runner);
          runner.query = ((sql: string, params?: unknown[]) => (sent.push(sql.trim().split(/\s+/)[0] ?? ''), query(sql, params))) as typeof runner.query;
          return runner;
        },
      }),
    );
    await spied.run(async (tx) => {
      tx.write((p) => `INSERT INTO parent VALUES (${p(21)}, ${p('một')})`);
      tx.write((p) => `INSERT INTO child VALUES (${p(210)}, ${p(21)})`);
    });
    expect(sent).toEqual(['WITH']);
    expect(await count('child')).toBe(2);

    sent.length = 0;
    await expect(
      spied.run(async (tx) => {
        tx.write((p) => `INSERT INTO parent VALUES (${p(22)}, ${p('hai')})`);
        throw new Error('refused before anything was sent');
      }),
    ).rejects.toThrow('refused');
    expect(sent).toEqual([]);

    await spied.run(async (tx) => {
      await tx.query('SELECT 1');
      tx.write((p) => `INSERT INTO parent VALUES (${p(23)}, ${p('ba')})`);
    });
    expect(sent).toEqual(['BEGIN', 'SELECT', 'WITH', 'COMMIT']);
    expect(await dataSource.query(`SELECT id FROM parent WHERE id IN (21, 22, 23) ORDER BY id`)).toEqual([{ id: 21 }, { id: 23 }]);
  });

  it('serialises transactions that take the same advisory lock', async () => {
    const lock = advisoryLockKey('counter', '1');
    const increment = () =>
      uow.run(
        async (tx) => {
          const [row] = await tx.query<{ n: number }>(`SELECT n FROM counter WHERE id = 1`);
          tx.write((p) => `UPDATE counter SET n = ${p((row?.n ?? 0) + 1)} WHERE id = 1`);
        },
        { locks: [lock] },
      );
    await Promise.all(Array.from({ length: 8 }, increment));
    expect(await dataSource.query(`SELECT n FROM counter`)).toEqual([{ n: 8 }]);
  });

  it('reads outside a transaction and sends its queued writes as one statement before answering', async () => {
    const names = await uow.read(async (tx) => {
      const rows = await tx.query<{ name: string }>(`SELECT name FROM parent ORDER BY id`);
      tx.write((p) => `INSERT INTO parent VALUES (${p(5)}, ${p('audit-like')})`);
      return rows.map((r) => r.name);
    });
    expect(names).toEqual(['Nguyễn Văn Bình', 'một', 'ba']);
    expect(await dataSource.query(`SELECT name FROM parent WHERE id = 5`)).toEqual([{ name: 'audit-like' }]);
  });
});
