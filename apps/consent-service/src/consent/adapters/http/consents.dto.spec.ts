import { zodIssuesToValidationIssues } from '@lienthong/platform';
import { RecordConsentDto } from './consents.dto';

const body = (scope: Record<string, unknown>) => ({
  enterprisePatientId: '01936f3e-8e2a-7cc0-9a1e-5b7a3c2d1e01',
  decision: 'grant',
  scope: { purposes: ['treatment'], categories: ['lab'], grantees: [{ kind: 'care-relationship' }], ...scope },
  evidence: { channel: 'in-person', recordedBy: 'NV-7', informedOfSensitivity: true },
});
const problems = (value: unknown) => {
  const result = RecordConsentDto.schema.safeParse(value);
  return result.success ? [] : zodIssuesToValidationIssues(result.error.issues).map((i) => [i.pointer, i.rule]);
};

describe('RecordConsentDto', () => {
  it('takes each purpose and category once: a repeat is refused at the repeat, a list longer than the vocabulary at the list', () => {
    expect(problems(body({ purposes: ['treatment', 'referral'], categories: ['lab', 'hiv'] }))).toEqual([]);
    expect(problems(body({ purposes: ['treatment', 'referral', 'treatment'] }))).toEqual([['#/scope/purposes/2', 'custom']]);
    expect(problems(body({ categories: ['lab', 'lab'] }))).toEqual([['#/scope/categories/1', 'custom']]);
    expect(problems(body({ purposes: Array.from({ length: 10_000 }, () => 'treatment') }))).toEqual([['#/scope/purposes', 'too_big']]);
  });
});
