import { DEFAULT_MATCH_CONFIG, weightOf } from './match-config';
import { decide, decideAmong } from './match-decision';
import { type MatchRecord } from './match-record';
import { scoreCandidate, type CandidateScore, type MatchField } from './score-candidate';

const stored: MatchRecord = {
  name: 'Nguyễn Thị Thu Hà',
  sex: 'female',
  birthDate: { year: 1987, month: 4, day: 9 },
  cccd: '001187012345',
  bhytCode: 'GD4010123456789',
  phone: '0912345678',
  provinceCode: '01',
  communeCode: '01042',
};
const { cccd: _omit, ...withoutCccd } = stored;
const incoming = (patch: Partial<MatchRecord>): MatchRecord => ({ ...withoutCccd, ...patch });
const outcome = (r: CandidateScore, field: MatchField): string | undefined =>
  r.comparisons.find((c) => c.field === field)?.outcome;

describe('scoreCandidate — VN-STANDARDS §8 edge cases', () => {
  it('treats NFC, NFD, unmarked and upper-case names as the same name', () => {
    for (const name of ['Nguyễn Thị Thu Hà'.normalize('NFD'), 'Nguyen Thi Thu Ha', 'NGUYỄN THỊ THU HÀ', ' nguyen  thi thu ha ']) {
      const r = scoreCandidate(incoming({ name }), stored);
      expect(outcome(r, 'givenName')).toBe('exact');
      expect(outcome(r, 'middleName')).toBe('agree');
      expect(decide(r)).toBe('link');
    }
  });

  it('folds Đ explicitly', () => {
    const a: MatchRecord = { ...withoutCccd, name: 'Đặng Văn Đức', sex: 'male' };
    const r = scoreCandidate({ ...a, name: 'DANG VAN DUC' }, a);
    expect(outcome(r, 'givenName')).toBe('exact');
    expect(outcome(r, 'familyName')).toBe('agree');
  });

  it('treats Hoàng/Huỳnh and Vũ/Võ as the same family name', () => {
    const a: MatchRecord = { ...withoutCccd, name: 'Huỳnh Văn Bảy', sex: 'male' };
    expect(outcome(scoreCandidate({ ...a, name: 'Hoàng Văn Bảy' }, a), 'familyName')).toBe('agree');
    const b: MatchRecord = { ...withoutCccd, name: 'Võ Thị Lan' };
    expect(outcome(scoreCandidate({ ...b, name: 'Vu Thi Lan' }, b), 'familyName')).toBe('agree');
  });

  it('gives the very common family name Nguyễn little weight and a rarer one more', () => {
    const nguyen = scoreCandidate(incoming({}), stored).comparisons.find((c) => c.field === 'familyName');
    const rare: MatchRecord = { ...withoutCccd, name: 'Khúc Thị Thu Hà' };
    const khuc = scoreCandidate(rare, rare).comparisons.find((c) => c.field === 'familyName');
    expect(nguyen?.weight).toBeLessThan(2);
    expect(khuc?.weight ?? 0).toBeGreaterThan((nguyen?.weight ?? 0) + 2);
  });

  it('does not penalise a dropped or partially dropped middle name', () => {
    expect(outcome(scoreCandidate(incoming({ name: 'Nguyễn Hà' }), stored), 'middleName')).toBe('missing');
    expect(outcome(scoreCandidate(incoming({ name: 'Nguyễn Thu Hà' }), stored), 'middleName')).toBe('partial');
    expect(outcome(scoreCandidate(incoming({ name: 'Nguyễn T. Thu Hà' }), stored), 'middleName')).toBe('agree');
    expect(decide(scoreCandidate(incoming({ name: 'Nguyễn Hà' }), stored))).toBe('link');
  });

  it('recognises Western token order (given first, or family last) but not mere token overlap', () => {
    expect(outcome(scoreCandidate(incoming({ name: 'Hà Nguyễn Thị Thu' }), stored), 'givenName')).toBe('reordered');
    expect(outcome(scoreCandidate(incoming({ name: 'Thị Thu Hà Nguyễn' }), stored), 'givenName')).toBe('reordered');
    // "Hà" as a middle name of someone called Thu is a different person.
    expect(outcome(scoreCandidate(incoming({ name: 'Nguyễn Thị Hà Thu' }), stored), 'givenName')).not.toBe('reordered');
  });

  it('double family names compare as family + optional middle', () => {
    const a: MatchRecord = { ...withoutCccd, name: 'Nguyễn Phạm Minh Anh' };
    const r = scoreCandidate({ ...a, name: 'Nguyễn Minh Anh' }, a);
    expect([outcome(r, 'givenName'), outcome(r, 'middleName')]).toEqual(['exact', 'partial']);
  });

  it('grades given-name slips and sends a slip without an identifier to review', () => {
    const slip = scoreCandidate(incoming({ name: 'Nguyễn Thị Thu Haf', bhytCode: undefined }), stored);
    expect(outcome(slip, 'givenName')).toBe('close');
    expect(decide(slip)).toBe('review');
    const withCard = scoreCandidate(incoming({ name: 'Nguyễn Thị Thu Haf' }), stored);
    expect(decide(withCard)).toBe('link');
  });

  it('treats a slip into a non-name as a typo when the registry says so', () => {
    const known = (g: string): boolean => g !== 'HAF';
    const r = scoreCandidate(incoming({ name: 'Nguyễn Thị Thu Haf', bhytCode: undefined }), stored, DEFAULT_MATCH_CONFIG, { isKnownGivenName: known });
    expect(r.cap).toBe('link');
  });

  it('never auto-links a different given name, even with everything else agreeing (twins)', () => {
    const twin = scoreCandidate(incoming({ name: 'Nguyễn Thị Thu Lan', bhytCode: undefined }), stored);
    expect(outcome(twin, 'givenName')).toBe('disagree');
    expect(twin.score).toBeGreaterThan(DEFAULT_MATCH_CONFIG.thresholds.link);
    expect(decide(twin)).toBe('review');
  });

  it('handles partial birth dates: year-only, month precision, transposition, disagreement', () => {
    const o = (birthDate: MatchRecord['birthDate']): string | undefined => outcome(scoreCandidate(incoming({ birthDate }), stored), 'birthDate');
    expect(o({ year: 1987, month: 4, day: 9 })).toBe('exact');
    expect(o({ year: 1987 })).toBe('year-only-agree');
    expect(o({ year: 1987, month: 4 })).toBe('month-agree');
    expect(o({ year: 1987, month: 9, day: 4 })).toBe('transposed');
    expect(o({ year: 1987, month: 10, day: 1 })).toBe('same-year-different-date');
    expect(o({ year: 1988, month: 4, day: 9 })).toBe('adjacent-year');
    expect(o({ year: 1978, month: 4, day: 9 })).toBe('disagree');
    expect(o(undefined)).toBe('missing');
  });

  it('compares phones and insurance numbers in canonical form', () => {
    const r = scoreCandidate(incoming({ phone: '+84 912 345 678', bhytCode: '0123456789' }), stored);
    expect([outcome(r, 'phone'), outcome(r, 'socialInsurance')]).toEqual(['agree', 'agree']);
  });

  it('compares addresses across the 2025 province merger', () => {
    const before: MatchRecord = { ...withoutCccd, provinceCode: '74', communeCode: undefined };
    const after: MatchRecord = { ...withoutCccd, provinceCode: '79', communeCode: undefined };
    expect(outcome(scoreCandidate(before, after), 'address')).toBe('province-agree');
  });

  it('vetoes a link when both records carry different valid CCCDs', () => {
    const r = scoreCandidate({ ...stored, cccd: '001187099999' }, stored);
    expect(r.vetoed).toBe(true);
    expect(r.score).toBe(Number.NEGATIVE_INFINITY);
    expect(r.evidence).toBeGreaterThan(0);
    expect(decide(r)).toBe('new');
    expect(decide(r.score)).toBe('new');
  });

  it('accepts a re-issued CCCD from the identifier history', () => {
    const r = scoreCandidate({ ...stored, cccd: '001187099999' }, { ...stored, previousCccds: ['001187099999'] });
    expect([r.vetoed, outcome(r, 'cccd')]).toEqual([false, 'agree']);
  });

  it('sends a different social-insurance number to review at most', () => {
    const r = scoreCandidate(incoming({ bhytCode: '0999999999' }), stored);
    expect(r.cap).toBe('review');
  });

  it('never links a newborn registered under the mother’s name', () => {
    const child: MatchRecord = { name: 'Trần Gia Bảo', sex: 'male', birthDate: { year: 2026, month: 1, day: 5 }, phone: '0912345678', communeCode: '01042', provinceCode: '01' };
    const r = scoreCandidate({ ...child, name: 'Con bà Nguyễn Thị Lan' }, child);
    expect(outcome(r, 'givenName')).toBe('newborn-placeholder');
    expect(decide(r)).not.toBe('link');
  });

  it('ignores mojibake names instead of letting garbage disagree', () => {
    const r = scoreCandidate(incoming({ name: 'NguyÔn ThÞ Thu Hµ' }), stored);
    expect(outcome(r, 'givenName')).toBe('missing');
  });
});

describe('decide / decideAmong', () => {
  const t = DEFAULT_MATCH_CONFIG.thresholds;
  it('maps scores to the three outcomes', () => {
    expect(decide(t.link)).toBe('link');
    expect(decide(t.link - 0.01)).toBe('review');
    expect(decide(t.review)).toBe('review');
    expect(decide(t.review - 0.01)).toBe('new');
  });
  it('sends close runners-up to review and explains why', () => {
    const strong = scoreCandidate(incoming({}), stored);
    const out = decideAmong([
      { candidateId: 'a', result: strong },
      { candidateId: 'b', result: { ...strong, score: strong.score - 1 } },
    ]);
    expect([out.decision, out.reason, out.best?.candidateId]).toEqual(['review', 'ambiguous', 'a']);
    expect(decideAmong([]).decision).toBe('new');
    expect(decideAmong([{ candidateId: 'a', result: strong }]).decision).toBe('link');
  });
  it('derives weights from m/u', () => {
    expect(weightOf({ m: 0.5, u: 0.125 })).toBe(2);
  });
});
