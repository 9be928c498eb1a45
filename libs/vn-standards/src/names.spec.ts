import {
  canonicalDisplayName,
  detectLegacyEncoding,
  familyNameKey,
  familyNameShare,
  familyNamesEquivalent,
  foldName,
  looksLikeMojibake,
  nameTokenOverlap,
  newbornMotherName,
  parseVietnameseName,
  repairUtf8Mojibake,
  sameNameTokens,
  stripDiacritics,
} from './names';
import { FAMILY_NAME_SHARES } from './family-names';

const NFC = 'Nguyễn Thị Thu Hà'.normalize('NFC');
const NFD = 'Nguyễn Thị Thu Hà'.normalize('NFD');

describe('folding', () => {
  it('folds NFC, NFD, unmarked and upper case to one form', () => {
    for (const v of [NFC, NFD, 'Nguyen Thi Thu Ha', 'NGUYỄN THỊ THU HÀ', '  nguyen   thi thu  ha ']) {
      expect(foldName(v)).toBe('NGUYEN THI THU HA');
    }
  });
  it('maps Đ/đ explicitly (NFD leaves them alone)', () => {
    expect('Đặng'.normalize('NFD').replace(/\p{M}/gu, '')).toBe('Đang');
    expect(stripDiacritics('Đặng Đình Đức')).toBe('Dang Dinh Duc');
    expect(foldName('đỗ đức Ðạt')).toBe('DO DUC DAT');
  });
  it('turns punctuation into token breaks', () => {
    expect(foldName('Nguyễn Thị Thu-Hà.')).toBe('NGUYEN THI THU HA');
  });
  it('keeps display names NFC with single spaces', () => {
    expect(canonicalDisplayName(`  ${NFD}  `)).toBe(NFC);
  });
});

describe('parseVietnameseName', () => {
  it('splits family, middle, given', () => {
    expect(parseVietnameseName(NFD)).toMatchObject({
      family: 'NGUYEN',
      middle: ['THI', 'THU'],
      given: 'HA',
      newbornOfMother: undefined,
    });
  });
  it('flags a possible double family name', () => {
    expect(parseVietnameseName('Nguyễn Phạm Minh Anh')).toMatchObject({
      family: 'NGUYEN',
      secondFamily: 'PHAM',
      given: 'ANH',
    });
    expect(parseVietnameseName('Nguyễn Văn An').secondFamily).toBeUndefined();
  });
  it('handles a single token and empty input', () => {
    expect(parseVietnameseName('Lan')).toMatchObject({ family: 'LAN', given: '' });
    expect(parseVietnameseName('   ')).toMatchObject({ tokens: [], family: '', given: '' });
  });
  it('applies family-name equivalence in the key', () => {
    expect(parseVietnameseName('Huỳnh Văn Bảy').familyKey).toBe('HOANG');
  });
});

describe('family names', () => {
  it('treats Hoàng/Huỳnh and Vũ/Võ as one name', () => {
    expect(familyNamesEquivalent('Hoàng', 'HUYNH')).toBe(true);
    expect(familyNamesEquivalent('Võ', 'vu')).toBe(true);
    expect(familyNamesEquivalent('Võ', 'Vương')).toBe(false);
    expect(familyNamesEquivalent('', '')).toBe(false);
    expect(familyNameKey('Nguyễn')).toBe('NGUYEN');
  });
  it('reports population share per equivalence class', () => {
    expect(familyNameShare('nguyen')).toBeCloseTo(0.38);
    expect(familyNameShare('Huỳnh')).toBeCloseTo(0.05);
    expect(familyNameShare('Smith')).toBeUndefined();
  });
  it('shares sum to about one', () => {
    const total = FAMILY_NAME_SHARES.reduce((s, f) => s + f.share, 0);
    expect(total).toBeGreaterThan(0.95);
    expect(total).toBeLessThanOrEqual(1.0001);
  });
});

describe('order-insensitive comparison', () => {
  it('matches Western order and Hoàng/Huỳnh', () => {
    expect(sameNameTokens('Hà Nguyễn Thị Thu', NFC)).toBe(true);
    expect(sameNameTokens('HUYNH VAN BAY', 'Hoàng Văn Bảy')).toBe(true);
    expect(sameNameTokens('Nguyễn Thu Hà', NFC)).toBe(false);
  });
  it('scores a dropped middle name as high overlap', () => {
    expect(nameTokenOverlap('Nguyễn Thu Hà', NFC)).toBeCloseTo(6 / 7);
    expect(nameTokenOverlap('Trần Văn Nam', NFC)).toBe(0);
    expect(nameTokenOverlap('', NFC)).toBe(0);
  });
});

describe('newborns registered under the mother', () => {
  it.each(['Con bà Nguyễn Thị Lan', 'CON CUA BA NGUYEN THI LAN', 'con ba nguyen thi lan', 'CB Nguyễn Thị Lan', 'Sơ sinh con bà Nguyễn Thị Lan'])(
    'detects %p',
    (input) => {
      expect(newbornMotherName(input)).toBe('NGUYEN THI LAN');
      expect(parseVietnameseName(input).newbornOfMother).toBe('NGUYEN THI LAN');
    },
  );
  it('does not fire on real names', () => {
    expect(newbornMotherName('Nguyễn Thị Lan')).toBeUndefined();
    expect(newbornMotherName('Con Lan')).toBeUndefined();
  });
});

describe('legacy encodings', () => {
  const utf8AsLatin1 = Buffer.from('Nguyễn Thị Hà', 'utf8').toString('latin1');
  it('detects UTF-8 read as Latin-1 and repairs it', () => {
    expect(detectLegacyEncoding('Nguyá»…n Thá»‹ HÃ ')).toBe('utf8-as-latin1');
    expect(repairUtf8Mojibake('Nguyá»…n Thá»‹ HÃ\u00A0')).toBe('Nguyễn Thị Hà');
    expect(repairUtf8Mojibake(utf8AsLatin1)).toBe('Nguyễn Thị Hà');
  });
  it('detects TCVN3 (ABC) text', () => {
    expect(detectLegacyEncoding('NguyÔn ThÞ Hµ')).toBe('tcvn3');
    expect(detectLegacyEncoding('§Æng V¨n §øc')).toBe('tcvn3');
  });
  it('detects VNI text', () => {
    expect(detectLegacyEncoding('Ñaëng Vaên Ñöùc')).toBe('vni');
  });
  it('does not flag real Vietnamese or ASCII', () => {
    for (const s of [NFC, NFD, 'Nguyen Thi Thu Ha', 'Buôn Ma Thuột', 'Lê Văn Tám', 'Hồ Thị Ánh']) {
      expect(looksLikeMojibake(s)).toBe(false);
    }
  });
  it('never throws on garbage and folds it to something', () => {
    expect(() => foldName('NguyÔn ThÞ Hµ \u0000 ☃')).not.toThrow();
    expect(repairUtf8Mojibake('☃')).toBeUndefined();
  });
});
