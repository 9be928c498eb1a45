import { type LabQualityLevel } from '@lienthong/vn-standards';
import { type CatalogueTest, type RuleSet, ruleSetAt } from './catalogue';
import { evaluateReuse, type LabProfile, type ResultView } from './reuse';
import { type CheckedTestRecord, evaluateReuseCheck, planReuseCheck, reuseDecision, type StoredLine } from './reuse-check';

/*
 * The reuse rules as a table. Times are Vietnam time; "now" is 2026-11-20 09:00 +07:00.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.parse('2026-11-20T09:00:00+07:00');

const test = (code: string, overrides: Partial<CatalogueTest> = {}): CatalogueTest => ({
  code,
  mohIndicatorCodes: [],
  serviceCodes: [`23.0000.${code.length}000`],
  nameVi: code,
  nameEn: code,
  loinc: null,
  discipline: 'biochemistry',
  consentCategory: 'lab',
  validityHours: 24,
  validFrom: 'collection',
  positiveOnly: false,
  priceVnd: 21_500,
  ucum: 'mmol/L',
  ...overrides,
});

const GLU = test('GLU', { mohIndicatorCodes: ['2300751'], serviceCodes: ['23.0075.1494'], validityHours: 24 });
const HBA1C = test('HBA1C', { mohIndicatorCodes: ['2300831'], serviceCodes: ['23.0083.1523'], validityHours: 60 * 24, priceVnd: 101_000 });
const BCX = test('BCX', { serviceCodes: ['24.0001.1714'], discipline: 'microbiology', validityHours: 7 * 24, positiveOnly: true, priceVnd: 288_000 });
const CXR = test('CXR', { serviceCodes: ['18.0119.0028'], discipline: 'imaging', consentCategory: 'imaging', validityHours: 30 * 24, validFrom: 'performance', ucum: null });
const HIV = test('HIV', { serviceCodes: ['24.0152.1715'], discipline: 'immunology', consentCategory: 'hiv', validityHours: 30 * 24 });

const DISTRICT = '79101'; // lab level 2
const PROVINCIAL = '79001'; // lab level 3
const ACCREDITED = '79102'; // lab level 1, ISO 15189 for GLU
const UNRATED = '79103';
const LABS = new Map<string, LabProfile>([
  [DISTRICT, { labQualityLevel: 2, iso15189Scope: [] }],
  [PROVINCIAL, { labQualityLevel: 3, iso15189Scope: [] }],
  [ACCREDITED, { labQualityLevel: 1, iso15189Scope: ['GLU'] }],
  [UNRATED, { labQualityLevel: 'unrated', iso15189Scope: [] }],
]);

/** A final XML result performed `ago` before now at `lab` (XML 130 gives performance, never collection). */
const result = (ago: number, overrides: Partial<ResultView> = {}): ResultView => ({
  resultId: 'r-1',
  version: 1,
  performingFacility: DISTRICT,
  status: 'final',
  collectedAt: null,
  performedAt: NOW - ago,
  resultAt: NOW - ago + HOUR,
  qualitative: null,
  ...overrides,
});

interface Row {
  readonly name: string;
  readonly test?: CatalogueTest;
  readonly results: readonly ResultView[];
  readonly requester?: LabQualityLevel;
  readonly consent?: boolean;
  readonly expected: string;
}

/** `REUSE_CANDIDATE r-1 v2 until <iso> from performedAt` or `REPEAT_REQUIRED <reason>`. */
function brief(row: Row): string {
  const v = evaluateReuse({ test: row.test ?? GLU, results: row.results, requesterLevel: row.requester ?? 2, labs: LABS, consentPermitted: row.consent ?? true, at: NOW });
  return v.outcome === 'REUSE_CANDIDATE'
    ? `REUSE_CANDIDATE ${v.result.resultId} v${v.result.version} until ${new Date(v.validUntil).toISOString()} from ${v.windowFrom}`
    : `REPEAT_REQUIRED ${v.reason}`;
}
const until = (performedAgo: number, hours: number) => new Date(NOW - performedAgo + hours * HOUR).toISOString();

const ROWS: readonly Row[] = [
  // The window (GLU: 24 h), counted from performance when the source gave no collection time.
  { name: '1 minute inside the window', results: [result(24 * HOUR - MINUTE)], expected: `REUSE_CANDIDATE r-1 v1 until ${until(24 * HOUR - MINUTE, 24)} from performedAt` },
  { name: '1 minute outside the window', results: [result(24 * HOUR + MINUTE)], expected: 'REPEAT_REQUIRED expired' },
  { name: 'exactly at the end of the window: expired', results: [result(24 * HOUR)], expected: 'REPEAT_REQUIRED expired' },
  {
    name: 'collection time, when the source gave one, is the window’s start (not performance)',
    results: [result(2 * HOUR, { collectedAt: NOW - 24 * HOUR - MINUTE })],
    expected: 'REPEAT_REQUIRED expired',
  },
  {
    name: 'imaging counts from performance even with a collection time',
    test: CXR,
    results: [result(30 * 24 * HOUR - MINUTE, { collectedAt: NOW - 40 * 24 * HOUR })],
    expected: `REUSE_CANDIDATE r-1 v1 until ${until(30 * 24 * HOUR - MINUTE, 30 * 24)} from performedAt`,
  },
  { name: 'no time at all: the window cannot be bounded', results: [result(HOUR, { performedAt: null })], expected: 'REPEAT_REQUIRED time-unknown' },
  { name: 'performed after the time asked about: not a prior result', results: [result(-HOUR)], expected: 'REPEAT_REQUIRED no-prior-result' },
  { name: 'no result at all', results: [], expected: 'REPEAT_REQUIRED no-prior-result' },

  // Lab quality (Decision 2429 level, ISO 15189 scope).
  { name: 'lab level below the requester (2 < 3)', requester: 3, results: [result(HOUR)], expected: 'REPEAT_REQUIRED lab-quality-below-requester' },
  { name: 'same level accepted (2 = 2)', requester: 2, results: [result(HOUR)], expected: `REUSE_CANDIDATE r-1 v1 until ${until(HOUR, 24)} from performedAt` },
  {
    name: 'a higher-level lab accepted by a lower one (3 > 2)',
    requester: 2,
    results: [result(HOUR, { performingFacility: PROVINCIAL })],
    expected: `REUSE_CANDIDATE r-1 v1 until ${until(HOUR, 24)} from performedAt`,
  },
  {
    name: 'ISO 15189 scope override: level 1 lab accredited for GLU, requester level 3',
    requester: 3,
    results: [result(HOUR, { performingFacility: ACCREDITED })],
    expected: `REUSE_CANDIDATE r-1 v1 until ${until(HOUR, 24)} from performedAt`,
  },
  {
    name: 'the ISO scope covers GLU only: the same lab’s HbA1c is below the requester',
    test: HBA1C,
    requester: 3,
    results: [result(HOUR, { performingFacility: ACCREDITED })],
    expected: 'REPEAT_REQUIRED lab-quality-below-requester',
  },
  {
    name: 'an unrated lab, even for an unrated requester',
    requester: 'unrated',
    results: [result(HOUR, { performingFacility: UNRATED })],
    expected: 'REPEAT_REQUIRED lab-quality-below-requester',
  },
  { name: 'a lab the registry does not know', results: [result(HOUR, { performingFacility: '79999' })], expected: 'REPEAT_REQUIRED lab-quality-below-requester' },

  // Microbiology: positive results only.
  { name: 'negative microbiology', test: BCX, results: [result(HOUR, { qualitative: 'negative' })], expected: 'REPEAT_REQUIRED negative-microbiology' },
  { name: 'microbiology without a coded result counts as not positive', test: BCX, results: [result(HOUR)], expected: 'REPEAT_REQUIRED negative-microbiology' },
  {
    name: 'positive microbiology is reused',
    test: BCX,
    results: [result(HOUR, { qualitative: 'positive' })],
    expected: `REUSE_CANDIDATE r-1 v1 until ${until(HOUR, 7 * 24)} from performedAt`,
  },

  // Versions and status.
  {
    name: 'amended → the latest version',
    results: [result(2 * HOUR), result(2 * HOUR, { version: 2, status: 'amended' })],
    expected: `REUSE_CANDIDATE r-1 v2 until ${until(2 * HOUR, 24)} from performedAt`,
  },
  {
    name: 'amended → the latest version, whatever the order given',
    results: [result(2 * HOUR, { version: 3, status: 'amended' }), result(2 * HOUR), result(2 * HOUR, { version: 2, status: 'amended' })],
    expected: `REUSE_CANDIDATE r-1 v3 until ${until(2 * HOUR, 24)} from performedAt`,
  },
  { name: 'cancelled → none', results: [result(2 * HOUR), result(2 * HOUR, { version: 2, status: 'cancelled' })], expected: 'REPEAT_REQUIRED no-prior-result' },
  { name: 'not final (preliminary)', results: [result(HOUR, { status: 'preliminary' })], expected: 'REPEAT_REQUIRED not-final' },

  // Consent and the catalogue.
  { name: 'consent denied: nothing is revealed, not even that a result exists', consent: false, results: [result(HOUR)], expected: 'REPEAT_REQUIRED consent-denied' },
  { name: 'consent denied and no result: the same answer', consent: false, results: [], expected: 'REPEAT_REQUIRED consent-denied' },

  // Several results: the one valid longest; otherwise the reason nearest to a reuse.
  {
    name: 'of two reusable results the one valid longest',
    results: [result(10 * HOUR, { resultId: 'r-old' }), result(HOUR, { resultId: 'r-new', performingFacility: PROVINCIAL })],
    expected: `REUSE_CANDIDATE r-new v1 until ${until(HOUR, 24)} from performedAt`,
  },
  {
    name: 'an expired result and one from a lab below: expired is reported',
    requester: 3,
    results: [result(30 * HOUR, { resultId: 'r-a', performingFacility: PROVINCIAL }), result(HOUR, { resultId: 'r-b' })],
    expected: 'REPEAT_REQUIRED expired',
  },
];

describe('the reuse rules (draft circular of 08/2026)', () => {
  it.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    expect(brief(row)).toBe(row.expected);
  });

  it('an unknown test is repeated', () => {
    expect(evaluateReuse({ test: undefined, results: [result(HOUR)], requesterLevel: 2, labs: LABS, consentPermitted: true, at: NOW })).toEqual({
      outcome: 'REPEAT_REQUIRED',
      reason: 'unknown-test',
    });
  });
});

describe('rule-set versions', () => {
  const TODAY = Date.parse('2026-11-20T00:00:00+07:00');
  const TOMORROW = TODAY + 24 * HOUR;
  const draft: RuleSet = { version: '2026-08-draft', effectiveFrom: Date.parse('2026-08-01T00:00:00+07:00'), tests: [GLU, HBA1C, BCX, CXR, HIV] };
  const tomorrows: RuleSet = { version: '2026-11-21-circular', effectiveFrom: TOMORROW, tests: [{ ...GLU, validityHours: 48 }, HBA1C, BCX, CXR, HIV] };
  const sets = [tomorrows, draft];

  it.each([
    ['a version effective tomorrow is not used today', NOW, '2026-08-draft'],
    ['… nor one minute before it takes effect', TOMORROW - MINUTE, '2026-08-draft'],
    ['… and is used from its effective instant', TOMORROW, '2026-11-21-circular'],
    ['before the first version: none', Date.parse('2026-07-31T23:59:00+07:00'), undefined],
  ])('%s', (_name, at, version) => {
    expect(ruleSetAt(sets, at)?.version).toBe(version);
  });

  const line = (ago: number, at: number, overrides: Partial<StoredLine> = {}): StoredLine => ({
    ...result(ago),
    performedAt: at - ago,
    mohIndicatorCode: '2300751',
    serviceCode: '23.0075.1494',
    ...overrides,
  });

  it('the version id is recorded in each outcome; the window is the version’s (GLU 24 h today, 48 h tomorrow)', () => {
    const asked = ['GLU', '2300831', '24.0001.1714', 'XYZ-1'];
    const results = [line(30 * HOUR, NOW), line(3 * HOUR, TOMORROW + HOUR, { resultId: 'r-2' })];
    const summarize = (at: number, only = results) => {
      const plan = planReuseCheck(sets, at, asked);
      if (plan === undefined) throw new Error('no rule set');
      const outcome = evaluateReuseCheck(plan, { results: only, requesterLevel: 2, labs: LABS, permitted: new Set(['lab' as const]) });
      return {
        version: outcome.ruleSetVersion,
        tests: outcome.tests.map((t) => [t.testCode, t.askedAs, t.verdict.outcome === 'REUSE_CANDIDATE' ? t.verdict.result.resultId : t.verdict.reason, t.priceVnd]),
      };
    };
    expect(summarize(NOW)).toEqual({
      version: '2026-08-draft',
      tests: [
        ['GLU', 'GLU', 'expired', 21_500],
        ['HBA1C', '2300831', 'no-prior-result', 101_000],
        ['BCX', '24.0001.1714', 'no-prior-result', 288_000],
        ['XYZ-1', 'XYZ-1', 'unknown-test', null],
      ],
    });
    expect(summarize(TOMORROW + HOUR).version).toBe('2026-11-21-circular');
    expect(summarize(TOMORROW + HOUR).tests[0]).toEqual(['GLU', 'GLU', 'r-2', 21_500]);
    // r-1, 46 h old tomorrow at 01:00: expired under the draft's 24 h, reusable under tomorrow's 48 h.
    expect(summarize(TOMORROW + HOUR, results.slice(0, 1)).tests[0]).toEqual(['GLU', 'GLU', 'r-1', 21_500]);
    expect(summarize(TOMORROW - HOUR, results.slice(0, 1)).tests[0]).toEqual(['GLU', 'GLU', 'expired', 21_500]);
    expect(planReuseCheck(sets, Date.parse('2026-07-01T00:00:00+07:00'), asked)).toBeUndefined();
  });

  it('a check asks consent once per category; a category not permitted is consent-denied; a line goes to its own test', () => {
    const plan = planReuseCheck([draft], NOW, ['GLU', 'glu', '23.0075.1494', 'HIV', 'CXR']);
    expect(plan?.tests.map((t) => t.testCode)).toEqual(['GLU', 'HIV', 'CXR']);
    expect(plan?.consentCategories).toEqual(['lab', 'hiv', 'imaging']);
    if (plan === undefined) throw new Error('no rule set');
    const outcome = evaluateReuseCheck(plan, {
      results: [
        line(HOUR, NOW, { resultId: 'glu' }),
        line(HOUR, NOW, { resultId: 'hiv', mohIndicatorCode: null, serviceCode: '24.0152.1715' }),
        line(HOUR, NOW, { resultId: 'cxr', mohIndicatorCode: null, serviceCode: '18.0119.0028' }),
      ],
      requesterLevel: 2,
      labs: LABS,
      permitted: new Set(['lab', 'imaging'] as const),
    });
    expect(outcome.tests.map((t) => [t.testCode, t.verdict.outcome === 'REUSE_CANDIDATE' ? t.verdict.result.resultId : t.verdict.reason])).toEqual([
      ['GLU', 'glu'],
      ['HIV', 'consent-denied'],
      ['CXR', 'cxr'],
    ]);
  });
});

describe('the doctor’s decision', () => {
  const candidate: CheckedTestRecord = { testCode: 'GLU', outcome: 'REUSE_CANDIDATE', reason: null, resultId: 'r-1', priceVnd: 21_500 };
  const repeat: CheckedTestRecord = { testCode: 'HBA1C', outcome: 'REPEAT_REQUIRED', reason: 'expired', resultId: null, priceVnd: 101_000 };

  it.each([
    ['reuse of a candidate avoids its price', candidate, 'reused', undefined, { ok: true, retestReason: null, resultId: 'r-1', priceAvoidedVnd: 21_500 }],
    ['re-test of a candidate, with its reason', candidate, 'retested', 'clinical-change', { ok: true, retestReason: 'clinical-change', resultId: 'r-1', priceAvoidedVnd: 0 }],
    ['re-test without a candidate: no-candidate', repeat, 'retested', undefined, { ok: true, retestReason: 'no-candidate', resultId: null, priceAvoidedVnd: 0 }],
    ['no reuse without a candidate', repeat, 'reused', undefined, { ok: false, pointer: '#/decision', rule: 'no-candidate' }],
    ['a reuse has no re-test reason', candidate, 'reused', 'other', { ok: false, pointer: '#/retestReason', rule: 'not-allowed' }],
    ['a re-test of a candidate says why', candidate, 'retested', undefined, { ok: false, pointer: '#/retestReason', rule: 'required' }],
    ['… and not “no candidate”', candidate, 'retested', 'no-candidate', { ok: false, pointer: '#/retestReason', rule: 'candidate-exists' }],
  ] as const)('%s', (_name, checked, decision, reason, expected) => {
    expect(reuseDecision(checked, decision, reason)).toMatchObject(expected);
  });
});
