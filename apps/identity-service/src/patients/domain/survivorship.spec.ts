import { disputedFields, survivingRecord, type SourceDemographics, type SourceRecord } from './survivorship';

const X: SourceDemographics = {
  fullName: 'Nguyễn Thị Thu Hà', nameFolded: 'NGUYEN THI THU HA', birthDate: { year: 1985, month: 3, day: 14 }, sex: 2,
  provinceCode: '79', communeCode: '26734', addressLine: '12 Lê Lợi', phone: '912345678',
};
const Y: SourceDemographics = {
  fullName: 'Trần Văn Bình', nameFolded: 'TRAN VAN BINH', birthDate: { year: 1990 }, sex: 1,
  provinceCode: undefined, communeCode: undefined, addressLine: undefined, phone: '987654321',
};

let n = 0;
function source(over: Partial<Omit<SourceRecord, 'demographics'>> & { demographics?: Partial<SourceDemographics> }): SourceRecord {
  n += 1;
  return {
    linkId: `link-${String(n).padStart(3, '0')}`,
    facilityCode: '79001',
    localId: `L${n}`,
    cccdVerified: false,
    disputedFields: [],
    reportedAt: new Date('2026-01-01T00:00:00Z'),
    facilityLevel: 'basic',
    ...over,
    demographics: { ...X, ...over.demographics },
  };
}
const t = (iso: string) => new Date(`2026-01-${iso}T00:00:00Z`);

describe('survivingRecord: per field, CCCD holders first, then the highest level, then the most recent', () => {
  const verifiedLow = source({ cccdVerified: true, facilityLevel: 'initial', reportedAt: t('01'), demographics: { phone: '911111111' } });
  const unverifiedHigh = source({ facilityLevel: 'specialised', reportedAt: t('05'), demographics: { phone: '922222222' } });
  const verifiedHighOld = source({ cccdVerified: true, facilityLevel: 'specialised', reportedAt: t('02'), demographics: { phone: '933333333' } });
  const verifiedHighNew = source({ cccdVerified: true, facilityLevel: 'specialised', reportedAt: t('03'), demographics: { phone: '944444444' } });
  const unknownFacility = source({ facilityLevel: undefined, reportedAt: t('09'), demographics: { phone: '955555555' } });

  it.each([
    ['a CCCD holder beats a higher-level facility without it', [verifiedLow, unverifiedHigh], '911111111'],
    ['among CCCD holders, the higher level wins', [verifiedLow, verifiedHighOld], '933333333'],
    ['same standing: the most recent wins', [verifiedHighOld, verifiedHighNew], '944444444'],
    ['without CCCD holders: the higher level beats the more recent', [unverifiedHigh, unknownFacility], '922222222'],
    ['a facility unknown to the registry ranks last', [unknownFacility, source({ facilityLevel: 'initial', reportedAt: t('01'), demographics: { phone: '966666666' } })], '966666666'],
    ['the order sources are read in does not matter', [verifiedHighNew, verifiedLow, verifiedHighOld, unverifiedHigh], '944444444'],
  ] as const)('%s', (_rule, sources, phone) => {
    expect(survivingRecord(sources)?.demographics.phone).toBe(phone);
  });

  it.each([
    ['address', { provinceCode: undefined, communeCode: undefined, addressLine: undefined }, { provinceCode: '79', communeCode: '26734', addressLine: '12 Lê Lợi' }],
    ['phone', { phone: undefined }, { phone: '912345678' }],
    ['birthDate', { birthDate: undefined }, { birthDate: { year: 1985, month: 3, day: 14 } }],
  ] as const)('a source that says nothing about %s never erases it', (_field, silent, kept) => {
    const older = source({ reportedAt: t('01') });
    const newerAndHigher = source({ cccdVerified: true, facilityLevel: 'specialised', reportedAt: t('09'), demographics: silent });
    expect(survivingRecord([older, newerAndHigher])?.demographics).toMatchObject(kept);
  });

  it('prefers the spelling with diacritics over the same name in plain ASCII from a higher-ranked source', () => {
    const district = source({ cccdVerified: true, facilityLevel: 'basic', reportedAt: t('01') });
    const provincial = source({ cccdVerified: true, facilityLevel: 'specialised', reportedAt: t('02'), demographics: { fullName: 'NGUYEN THI THU HA' } });
    expect(survivingRecord([district, provincial])?.demographics.fullName).toBe('Nguyễn Thị Thu Hà');
    expect(survivingRecord([district, provincial])?.winners.name).toBe(district.linkId);
  });

  it('leaves out disputed fields, except when every source of the field is disputed', () => {
    const a = source({ cccdVerified: true, facilityLevel: 'initial', reportedAt: t('01') });
    const b = source({ cccdVerified: true, facilityLevel: 'specialised', reportedAt: t('02'), demographics: Y, disputedFields: ['name', 'birthDate', 'sex'] });
    const shared = survivingRecord([a, b])?.demographics;
    expect(shared).toMatchObject({ fullName: X.fullName, birthDate: X.birthDate, sex: X.sex, phone: Y.phone, addressLine: X.addressLine });
    expect(survivingRecord([b])?.demographics.fullName).toBe(Y.fullName);
  });

  it('derives the matching keys of the winning name and answers nothing without sources', () => {
    expect(survivingRecord([source({})])?.demographics.nameTokenKey).toEqual(expect.any(String));
    expect(survivingRecord([])).toBeUndefined();
  });
});

describe('disputedFields: a report contradicting a CCCD-verified name, birth date or sex', () => {
  const verified = source({ cccdVerified: true, facilityLevel: 'specialised' });
  const unverified = source({ cccdVerified: false, demographics: { fullName: 'Lê Văn Tám', nameFolded: 'LE VAN TAM' } });

  it.each([
    ['another name, birth year and sex than the verified record', [verified], undefined, Y, ['name', 'birthDate', 'sex']],
    ['the same name without diacritics', [verified], undefined, { ...X, fullName: 'NGUYEN THI THU HA' }, []],
    ['a less precise but consistent birth date', [verified], undefined, { ...X, birthDate: { year: 1985 } }, []],
    ['another day of the same month', [verified], undefined, { ...X, birthDate: { year: 1985, month: 3, day: 15 } }, ['birthDate']],
    ['only phone and address differ (not attested by a CCCD)', [verified], undefined, { ...X, phone: '987654321', addressLine: undefined }, []],
    ['nothing verified to contradict', [unverified], undefined, Y, []],
  ] as const)('%s → %j', (_case, others, previous, incoming, expected) => {
    expect(disputedFields(others, previous, incoming)).toEqual(expected);
  });

  it('a facility repeating its own earlier, undisputed value is not disputed again; a disputed one stays disputed', () => {
    const before = source({ demographics: { sex: 1 } });
    expect(disputedFields([verified], before, { ...X, sex: 1 })).toEqual([]);
    const disputedBefore = source({ demographics: { sex: 1 }, disputedFields: ['sex'] });
    expect(disputedFields([verified], disputedBefore, { ...X, sex: 1 })).toEqual(['sex']);
  });

  it('a facility correcting its report towards the verified value clears the dispute', () => {
    const disputedBefore = source({ demographics: Y, disputedFields: ['name', 'birthDate', 'sex'] });
    expect(disputedFields([verified], disputedBefore, X)).toEqual([]);
  });
});
