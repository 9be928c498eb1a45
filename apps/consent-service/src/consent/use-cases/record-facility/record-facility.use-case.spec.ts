import { InMemoryFacilityDirectory, unusedTx } from '../../testing/identity-fakes';
import { RecordFacilityUseCase } from './record-facility.use-case';

describe('RecordFacilityUseCase', () => {
  const hospital = { code: '79001', level: 'specialised', provinceCode: '79', sensitive: false, version: 2 } as const;

  it('stores the facility as decisions see it: level and province', async () => {
    const facilities = new InMemoryFacilityDirectory();
    new RecordFacilityUseCase(facilities).execute(hospital, unusedTx);
    expect(await facilities.profiles(unusedTx, ['79001', '01901'])).toEqual(new Map([['79001', { code: '79001', level: 'specialised', provinceCode: '79' }]]));
  });

  it('keeps the newer version when an older event arrives late', async () => {
    const facilities = new InMemoryFacilityDirectory();
    const useCase = new RecordFacilityUseCase(facilities);
    useCase.execute(hospital, unusedTx);
    useCase.execute({ ...hospital, level: 'basic', version: 1 }, unusedTx);
    expect((await facilities.profiles(unusedTx, ['79001'])).get('79001')?.level).toBe('specialised');
    useCase.execute({ ...hospital, level: 'basic', version: 3 }, unusedTx);
    expect((await facilities.profiles(unusedTx, ['79001'])).get('79001')?.level).toBe('basic');
  });
});
