import { bhytSocialInsuranceNumber, bhytSocialInsuranceNumbers, parseBhytCard, parseBhytCardList } from './bhyt';

describe('parseBhytCard', () => {
  it('splits a legacy 15-character card', () => {
    expect(parseBhytCard('DN4010123456789')).toEqual({
      ok: true,
      value: {
        value: 'DN4010123456789',
        kind: 'legacy-15',
        groupCode: 'DN',
        benefitLevel: 4,
        issuingProvince: '01',
        socialInsuranceNumber: '0123456789',
      },
    });
  });
  it('accepts lower case and spaces as typed', () => {
    expect(bhytSocialInsuranceNumber('te1 79 7912345678')).toBe('7912345678');
  });
  it('accepts a 10-digit post-2021 card', () => {
    const r = parseBhytCard('7912345678');
    expect(r.ok && r.value.kind).toBe('social-insurance-10');
  });
  it.each(['DN6010123456789', 'D14010123456789', 'DN401012345678', '123456789', 'HT3XX0123456789'])(
    'rejects %s',
    (input) => {
      const r = parseBhytCard(input);
      expect(!r.ok && r.errors[0]?.rule).toBe('format');
    },
  );
});

describe('card lists', () => {
  it('parses ;-joined lists and keeps rejects', () => {
    const r = parseBhytCardList('HT3790123456789;TE1797912345678; ;bad');
    expect(r.cards.map((c) => c.socialInsuranceNumber)).toEqual(['0123456789', '7912345678']);
    expect(r.rejected).toEqual(['bad']);
  });
  it('deduplicates social-insurance numbers across consecutive cards', () => {
    expect(bhytSocialInsuranceNumbers('GD4790123456789;HN2790123456789')).toEqual(['0123456789']);
  });
});
