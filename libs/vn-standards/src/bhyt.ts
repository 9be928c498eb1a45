import { invalid, valid, type Validated } from './validation-result';

export type BhytRule = 'format';

export interface ParsedBhytCard {
  /** The code as printed/transmitted, upper-cased, spaces removed. */
  readonly value: string;
  readonly kind: 'legacy-15' | 'social-insurance-10';
  /** 2-letter beneficiary group (e.g. DN employees, HT pensioners, TE children); legacy only. */
  readonly groupCode: string | undefined;
  /** Benefit level 1–5; legacy only. */
  readonly benefitLevel: number | undefined;
  /** 2-digit issuing province (old 63-province numbering); legacy only. */
  readonly issuingProvince: string | undefined;
  /**
   * The 10-digit social-insurance number: the only part that is stable for a person across card
   * re-issues (group and benefit level change with employment/age), so it is what matching uses.
   */
  readonly socialInsuranceNumber: string;
}

const LEGACY = /^([A-Z]{2})([1-5])([0-9]{2})([0-9]{10})$/;
const NEW = /^[0-9]{10}$/;

export function parseBhytCard(input: string): Validated<ParsedBhytCard, BhytRule> {
  const value = input.replace(/\s+/g, '').toUpperCase();
  const legacy = LEGACY.exec(value);
  if (legacy) {
    const [, groupCode, level, province, sin] = legacy;
    return valid({
      value,
      kind: 'legacy-15',
      groupCode,
      benefitLevel: Number(level),
      issuingProvince: province,
      socialInsuranceNumber: sin ?? '',
    });
  }
  if (NEW.test(value)) {
    return valid({
      value,
      kind: 'social-insurance-10',
      groupCode: undefined,
      benefitLevel: undefined,
      issuingProvince: undefined,
      socialInsuranceNumber: value,
    });
  }
  return invalid({
    rule: 'format',
    message: 'health-insurance card must be 15 characters (AA9999999999999) or 10 digits',
  });
}

export function bhytSocialInsuranceNumber(input: string): string | undefined {
  const parsed = parseBhytCard(input);
  return parsed.ok ? parsed.value.socialInsuranceNumber : undefined;
}

export interface ParsedBhytList {
  readonly cards: readonly ParsedBhytCard[];
  /** Entries that did not parse, kept so ingestion can report them instead of losing them. */
  readonly rejected: readonly string[];
}

/** MA_THE_BHYT joins several cards with `;` (a person can hold cards for consecutive periods). */
export function parseBhytCardList(input: string): ParsedBhytList {
  const cards: ParsedBhytCard[] = [];
  const rejected: string[] = [];
  for (const raw of input.split(';')) {
    if (raw.trim() === '') continue;
    const parsed = parseBhytCard(raw);
    if (parsed.ok) cards.push(parsed.value);
    else rejected.push(raw.trim());
  }
  return { cards, rejected };
}

/** Distinct social-insurance numbers in a `;`-joined list, in first-seen order. */
export function bhytSocialInsuranceNumbers(input: string): string[] {
  return [...new Set(parseBhytCardList(input).cards.map((c) => c.socialInsuranceNumber))];
}
