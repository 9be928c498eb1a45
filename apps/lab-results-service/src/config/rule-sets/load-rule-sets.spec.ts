import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTest, ruleSetAt } from '../../reuse/domain/catalogue';
import draft from './2026-08-draft.json';
import { loadRuleSets, loincCheckDigit, parseRuleSet } from './load-rule-sets';

const at = (iso: string) => Date.parse(iso);

describe('the shipped rule sets', () => {
  const sets = loadRuleSets();

  it('load and validate at boot, sorted by effective date: the 08/2026 draft, then the placeholder of the final circular', () => {
    expect(sets.map((s) => [s.version, new Date(s.effectiveFrom).toISOString()])).toEqual([
      ['2026-08-draft', '2026-07-31T17:00:00.000Z'],
      ['2027-01-circular-placeholder', '2026-12-31T17:00:00.000Z'],
    ]);
  });

  it('ship the common tests by the codes the facility registry’s ISO 15189 scopes use', () => {
    const draftSet = sets[0];
    if (draftSet === undefined) throw new Error('no rule set');
    for (const code of ['WBC', 'HGB', 'PLT', 'GLU', 'HBA1C', 'CREA', 'UREA', 'ALT', 'AST', 'CHOL', 'TG', 'HDL', 'LDL', 'NA', 'K', 'CL', 'HBSAG', 'ANTI-HCV', 'HIV', 'TSH', 'FT4', 'CRP', 'BILT', 'TROPT', 'UA', 'BCX', 'CXR', 'USABD']) {
      expect(findTest(draftSet, code)?.code).toBe(code);
    }
    expect(findTest(draftSet, 'HIV')).toMatchObject({ consentCategory: 'hiv' });
    expect(findTest(draftSet, 'BCX')).toMatchObject({ discipline: 'microbiology', positiveOnly: true });
    expect(findTest(draftSet, 'CXR')).toMatchObject({ discipline: 'imaging', consentCategory: 'imaging', validFrom: 'performance' });
    expect(findTest(draftSet, 'USABD')).toMatchObject({ discipline: 'imaging', consentCategory: 'imaging', validFrom: 'performance' });
  });

  it('keep the windows inside the draft’s ranges (haematology 24 h–7 d; biochemistry 24 h–60 d with HbA1c 60 d, urea and bilirubin 24 h; microbiology 48 h–30 d)', () => {
    const draftSet = sets[0];
    if (draftSet === undefined) throw new Error('no rule set');
    const ranges = { haematology: [24, 168], biochemistry: [24, 1440], urinalysis: [24, 1440], microbiology: [48, 720] } as const;
    for (const test of draftSet.tests) {
      const range = (ranges as Record<string, readonly [number, number]>)[test.discipline];
      if (range === undefined) continue;
      expect([test.code, test.validityHours >= range[0] && test.validityHours <= range[1]]).toEqual([test.code, true]);
    }
    expect([findTest(draftSet, 'HBA1C')?.validityHours, findTest(draftSet, 'UREA')?.validityHours, findTest(draftSet, 'BILT')?.validityHours]).toEqual([1440, 24, 24]);
  });

  it('the placeholder changes one window (HbA1c 60 d → 90 d), and applies from its effective date only', () => {
    const before = ruleSetAt(sets, at('2026-12-31T23:59:59+07:00'));
    const after = ruleSetAt(sets, at('2027-01-01T00:00:00+07:00'));
    expect(before?.version).toBe('2026-08-draft');
    expect(after?.version).toBe('2027-01-circular-placeholder');
    const changed = after?.tests.filter((t) => JSON.stringify(t) !== JSON.stringify(before?.tests.find((b) => b.code === t.code))).map((t) => [t.code, t.validityHours]);
    expect(changed).toEqual([['HBA1C', 2160]]);
  });

  it('finds a test by catalogue code, MoH indicator code or service code; a CBC’s shared service code needs the indicator', () => {
    const draftSet = sets[0];
    if (draftSet === undefined) throw new Error('no rule set');
    expect(findTest(draftSet, 'glu')?.code).toBe('GLU');
    expect(findTest(draftSet, '2300751')?.code).toBe('GLU');
    expect(findTest(draftSet, '23.0075.1494')?.code).toBe('GLU');
    expect(findTest(draftSet, '2201212')?.code).toBe('HGB');
  });
});

describe('loading rule sets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rule-sets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const version = (overrides: Record<string, unknown>) => ({ ...draft, version: '2028-07-circular', effectiveFrom: '2028-07-01T00:00:00+07:00', ...overrides });

  it('adds the versions found in LAB_RULE_SETS_DIR', () => {
    writeFileSync(join(dir, 'circular-2028.json'), JSON.stringify(version({})));
    writeFileSync(join(dir, 'README.txt'), 'not a rule set');
    expect(loadRuleSets(dir).map((s) => s.version)).toEqual(['2026-08-draft', '2027-01-circular-placeholder', '2028-07-circular']);
  });

  it('refuses a version defined twice, two versions taking effect at one instant, and a file that is not JSON', () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify(version({ version: '2026-08-draft' })));
    expect(() => loadRuleSets(dir)).toThrow(/2026-08-draft is defined twice/);
    writeFileSync(join(dir, 'a.json'), JSON.stringify(version({ effectiveFrom: '2027-01-01T00:00:00+07:00' })));
    expect(() => loadRuleSets(dir)).toThrow(/two rule sets take effect/);
    writeFileSync(join(dir, 'a.json'), '{ "version": ');
    expect(() => loadRuleSets(dir)).toThrow(/is not JSON/);
  });

  it('names the field of a broken file: a mistyped LOINC, a time without offset, an unknown consent category; then a duplicated code or indicator', () => {
    const tests = draft.tests.map((t) => ({ ...t }));
    const broken = { ...draft, effectiveFrom: '2027-01-01T00:00:00', tests: [{ ...tests[0], loinc: '6690-3' }, tests[1], { ...tests[2], consentCategory: 'secret' }] };
    expect(() => parseRuleSet(broken, 'broken.json')).toThrow(
      /broken\.json is invalid: effectiveFrom: an ISO 8601 date-time with its offset.*; tests\/0\/loinc: the LOINC check digit does not match.*; tests\/2\/consentCategory: /,
    );
    const ambiguous = { ...draft, tests: [tests[0], { ...tests[1], code: 'WBC' }, { ...tests[2], mohIndicatorCodes: ['2201211'] }] };
    expect(() => parseRuleSet(ambiguous, 'ambiguous.json')).toThrow(
      'rule set ambiguous.json is invalid: tests/1/code: WBC is already test 0; tests/2/mohIndicatorCodes/0: 2201211 already belongs to test 0',
    );
    const shared = { ...draft, tests: [tests[0], { ...tests[1], mohIndicatorCodes: [] }] };
    expect(() => parseRuleSet(shared, 'shared.json')).toThrow('tests/1/mohIndicatorCodes: a test sharing its service code with another needs its own indicator codes');
  });

  it('computes LOINC check digits', () => {
    for (const code of ['718-7', '2345-7', '4548-4', '600-7', '24648-8', '80387-4', '67151-1', '14920-3']) {
      const [body = '', check = ''] = code.split('-');
      expect([code, loincCheckDigit(body)]).toEqual([code, Number(check)]);
    }
  });
});
