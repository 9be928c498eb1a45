import { blockingKeys, phoneticKey } from './blocking-keys';
import { type MatchRecord } from './match-record';

const stored: MatchRecord = {
  name: 'Nguyễn Thị Thu Hà',
  sex: 'female',
  birthDate: { year: 1987, month: 4, day: 9 },
  bhytCode: 'GD4010123456789',
  phone: '0912345678',
  provinceCode: '01',
  communeCode: '01042',
};
const shares = (a: MatchRecord): boolean => {
  const index = new Set(blockingKeys(stored, 'index'));
  return blockingKeys(a, 'query').some((k) => index.has(k));
};

describe('blockingKeys', () => {
  it('emits indexable keys for every strong field', () => {
    const keys = blockingKeys(stored, 'index');
    expect(keys).toEqual(expect.arrayContaining(['sin|0123456789', 'tel|912345678', 'gd|HA|1987-4-9', 'gyp|HA|1987|01', 'dc|1987-4-9|01042']));
  });

  it('still finds the record when any single field is noisy', () => {
    const noisy: MatchRecord[] = [
      { name: 'NGUYEN THI THU HA', birthDate: { year: 1987 }, provinceCode: '01' },
      { name: 'Nguyễn Thị Thu Haf', birthDate: { year: 1987, month: 4, day: 9 }, communeCode: '01042', provinceCode: '01' },
      { name: 'Hà Nguyễn Thị Thu', birthDate: { year: 1987, month: 4, day: 9 } },
      { name: 'Nguyễn Thị Thu Hà', birthDate: { year: 1987, month: 9, day: 4 } },
      { name: 'Somebody Else', phone: '+84912345678' },
      { name: 'Nguyễn Thị Thu Ha', bhytCode: '0123456789' },
    ];
    for (const n of noisy) expect(shares(n)).toBe(true);
  });

  it('does not block unrelated people together', () => {
    expect(shares({ name: 'Trần Văn Nam', birthDate: { year: 1990, month: 1, day: 2 }, provinceCode: '79' })).toBe(false);
  });

  it('folds regional spellings in the phonetic key', () => {
    expect(phoneticKey('TRANG')).toBe(phoneticKey('CHAN'));
    expect(phoneticKey('DUNG')).toBe(phoneticKey('RUNG'));
    expect(phoneticKey('GIANG')).toBe(phoneticKey('DANG'));
    expect(phoneticKey('SUONG')).toBe(phoneticKey('XUONG'));
    expect(phoneticKey('THUY')).toBe(phoneticKey('THUI'));
  });
});
