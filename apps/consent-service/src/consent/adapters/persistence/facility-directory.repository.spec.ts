import { type Db } from '@lienthong/persistence';
import { FacilityDirectoryRepository } from './facility-directory.repository';

/** The registry copy as a Db that answers `code = ANY($1)` and counts the queries it gets. */
function registry(rows: { code: string; level: string; province_code: string }[]) {
  const asked: string[][] = [];
  let fail = false;
  const db: Db = {
    query: async <R>(_sql: string, params: readonly unknown[] = []) => {
      const codes = params[0] as string[];
      asked.push([...codes]);
      if (fail) throw new Error('connection terminated');
      return rows.filter((r) => codes.includes(r.code)) as R[];
    },
  };
  return { db, asked, failing: () => void (fail = true) };
}

describe('FacilityDirectoryRepository.profiles (the decision point asks on every decision)', () => {
  const rows = [
    { code: '79001', level: 'specialised', province_code: '79' },
    { code: '01902', level: 'basic', province_code: '01' },
  ];
  const setup = () => {
    let now = 1_000_000;
    const { db, asked, failing } = registry(rows);
    const directory = new FacilityDirectoryRepository(30_000, () => now);
    return { db, asked, failing, directory, advance: (ms: number) => void (now += ms) };
  };

  it('reads the misses of a call in one query, then answers from memory, unknown codes included, until the entry expires', async () => {
    const { db, asked, directory, advance } = setup();
    const first = await directory.profiles(db, ['79001', '01902', '99999']);
    expect(first).toEqual(
      new Map([
        ['79001', { code: '79001', level: 'specialised', provinceCode: '79' }],
        ['01902', { code: '01902', level: 'basic', provinceCode: '01' }],
      ]),
    );
    expect(asked).toEqual([['79001', '01902', '99999']]);

    advance(29_999);
    expect(await directory.profiles(db, ['79001', '99999'])).toEqual(new Map([['79001', { code: '79001', level: 'specialised', provinceCode: '79' }]]));
    expect(asked).toHaveLength(1);

    advance(1);
    await directory.profiles(db, ['79001']);
    expect(asked).toEqual([['79001', '01902', '99999'], ['79001']]);
  });

  it('lets concurrent decisions missing the same code share one query', async () => {
    const { db, asked, directory } = setup();
    const answers = await Promise.all([directory.profiles(db, ['79001']), directory.profiles(db, ['79001']), directory.profiles(db, ['79001', '01902'])]);
    expect(answers.map((a) => [...a.keys()])).toEqual([['79001'], ['79001'], ['79001', '01902']]);
    expect(asked).toEqual([['79001'], ['01902']]);
  });

  it('fails when the registry copy cannot be read, rather than calling the facility unknown', async () => {
    const { db, failing, directory } = setup();
    failing();
    await expect(directory.profiles(db, ['79001'])).rejects.toThrow('connection terminated');
  });
});
