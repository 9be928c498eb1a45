import { LabResultErrorCode } from '../../../lab-result/domain/lab-result-error';
import { InMemoryFacilityLabs, unusedTx } from '../../testing/registry-fakes';
import { type RecordFacilityCommand, RecordFacilityUseCase } from './record-facility.use-case';

const district: RecordFacilityCommand = {
  code: '79001',
  level: 'basic',
  provinceCode: '79',
  labQualityLevel: '2',
  iso15189Scope: ['GLU', ' HBA1C ', 'GLU', ''],
  sensitive: false,
  version: 3,
};

describe('RecordFacilityUseCase', () => {
  const setup = () => {
    const facilities = new InMemoryFacilityLabs();
    return { facilities, useCase: new RecordFacilityUseCase(facilities) };
  };
  const profile = async (facilities: InMemoryFacilityLabs, code: string) => (await facilities.profiles(unusedTx, [code])).get(code);

  it("keeps the lab's quality level in vn-standards' terms and its ISO 15189 scope as a clean set of codes", async () => {
    const { facilities, useCase } = setup();
    useCase.execute(district, unusedTx);
    expect(await profile(facilities, '79001')).toEqual({
      code: '79001',
      level: 'basic',
      provinceCode: '79',
      labQualityLevel: 2,
      iso15189Scope: ['GLU', 'HBA1C'],
      sensitive: false,
    });
    useCase.execute({ ...district, code: '79002', labQualityLevel: 'unrated' }, unusedTx);
    expect((await profile(facilities, '79002'))?.labQualityLevel).toBe('unrated');
  });

  it('keeps the newest version: an older event read late changes nothing, a newer one replaces', async () => {
    const { facilities, useCase } = setup();
    useCase.execute(district, unusedTx);
    useCase.execute({ ...district, version: 2, labQualityLevel: '5' }, unusedTx);
    expect((await profile(facilities, '79001'))?.labQualityLevel).toBe(2);
    useCase.execute({ ...district, version: 4, labQualityLevel: '3', iso15189Scope: [] }, unusedTx);
    expect(await profile(facilities, '79001')).toMatchObject({ labQualityLevel: 3, iso15189Scope: [] });
  });

  it('refuses a lab quality level vn-standards does not know, storing nothing', () => {
    const { facilities, useCase } = setup();
    expect(() => useCase.execute({ ...district, labQualityLevel: '6' }, unusedTx)).toThrow(expect.objectContaining({ code: LabResultErrorCode.Validation }));
    expect(facilities.facilities.size).toBe(0);
  });
});
