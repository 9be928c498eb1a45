import { FakeTx } from '@lienthong/testing';
import { InMemoryFacilityDirectory } from '../../testing/consent-fakes';
import { RecordFacilityUseCase } from './record-facility.use-case';

/** The transaction the inbox consumer hands the use case (the in-memory ports check it is live). */
const tx = new FakeTx();

describe('RecordFacilityUseCase', () => {
  const hospital = { code: '79001', level: 'specialised', provinceCode: '79', sensitive: false, version: 2 } as const;

  it('stores the facility as decisions see it: level and province', async () => {
    const facilities = new InMemoryFacilityDirectory();
    new RecordFacilityUseCase(facilities).execute(hospital, tx);
    expect(await facilities.profiles(tx, ['79001', '01901'])).toEqual(new Map([['79001', { code: '79001', level: 'specialised', provinceCode: '79' }]]));
  });

  it('keeps the newer version when an older event arrives late', async () => {
    const facilities = new InMemoryFacilityDirectory();
    const useCase = new RecordFacilityUseCase(facilities);
    useCase.execute(hospital, tx);
    useCase.execute({ ...hospital, level: 'basic', version: 1 }, tx);
    expect((await facilities.profiles(tx, ['79001'])).get('79001')?.level).toBe('specialised');
    useCase.execute({ ...hospital, level: 'basic', version: 3 }, tx);
    expect((await facilities.profiles(tx, ['79001'])).get('79001')?.level).toBe('basic');
  });
});
