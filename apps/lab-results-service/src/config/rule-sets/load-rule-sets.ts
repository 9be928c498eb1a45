import { LAB_DISCIPLINES } from '@lienthong/contracts';
import { DATA_CATEGORIES } from '@lienthong/vn-standards';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type RuleSet } from '../../reuse/domain/catalogue';
import draft202608 from './2026-08-draft.json';
import placeholder202701 from './2027-01-circular-placeholder.json';

/** The versions shipped with the service, oldest first. A new circular is a new file added here (or in LAB_RULE_SETS_DIR). */
const SHIPPED: readonly unknown[] = [draft202608, placeholder202701];

/** Token of the loaded rule sets (a list sorted by effective date; pick one with `ruleSetAt`). */
export const RULE_SETS = Symbol('RULE_SETS');

/**
 * LOINC's check digit (the "mod 10" of the LOINC users' guide): the digits in odd positions counted
 * from the right, read as one number and doubled, then the other digits; the check digit brings the
 * sum of all those digits up to a multiple of ten. Catches a mistyped code at boot.
 */
export function loincCheckDigit(body: string): number {
  const digits = [...body].reverse();
  const odd = digits.filter((_, i) => i % 2 === 0).reverse().join('');
  const even = digits.filter((_, i) => i % 2 === 1).reverse().join('');
  const all = `${even}${(BigInt(odd || '0') * 2n).toString()}`;
  const sum = [...all].reduce((s, d) => s + Number(d), 0);
  return (10 - (sum % 10)) % 10;
}

const loincSchema = z
  .string()
  .regex(/^\d{1,7}-\d$/, 'a LOINC code, e.g. 2345-7')
  .refine((code) => {
    const [body = '', check = ''] = code.split('-');
    return loincCheckDigit(body) === Number(check);
  }, 'the LOINC check digit does not match: a mistyped code');

const testSchema = z.strictObject({
  code: z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,19}$/, 'upper-case letters, digits and hyphens, as the facility registry’s ISO 15189 scopes name tests'),
  mohIndicatorCodes: z.array(z.string().regex(/^\d{7}$/, 'a 7-digit MoH indicator code (MA_CHI_SO)')),
  serviceCodes: z.array(z.string().regex(/^\d{2}\.\d{4}\.\d{4}$/, 'a service code CC.KKKK.GGGG (MA_DICH_VU)')).min(1),
  nameVi: z.string().trim().min(1).max(255),
  nameEn: z.string().trim().min(1).max(255),
  loinc: loincSchema.nullable(),
  discipline: z.enum(LAB_DISCIPLINES),
  consentCategory: z.enum(DATA_CATEGORIES),
  validityHours: z.number().int().positive().max(24 * 366),
  validFrom: z.enum(['collection', 'performance']),
  positiveOnly: z.boolean(),
  priceVnd: z.number().int().min(0),
  ucum: z.string().trim().min(1).max(30).nullable(),
});

const ruleSetSchema = z
  .strictObject({
    $comment: z.union([z.string(), z.array(z.string())]).optional(),
    version: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, 'a version id: lower-case letters, digits, dots and hyphens'),
    effectiveFrom: z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with its offset, e.g. 2027-01-01T00:00:00+07:00' }),
    tests: z.array(testSchema).min(1),
  })
  .superRefine((set, ctx) => {
    // Every code a source line or a request can name must lead to one test.
    const seen = new Map<string, number>();
    const indicators = new Map<string, number>();
    set.tests.forEach((test, i) => {
      const first = seen.get(test.code);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['tests', i, 'code'], message: `${test.code} is already test ${first}` });
      seen.set(test.code, i);
      test.mohIndicatorCodes.forEach((indicator, j) => {
        const owner = indicators.get(indicator);
        if (owner !== undefined) ctx.addIssue({ code: 'custom', path: ['tests', i, 'mohIndicatorCodes', j], message: `${indicator} already belongs to test ${owner}` });
        indicators.set(indicator, i);
      });
    });
    // A service code shared by several tests (a CBC's WBC, HGB, PLT) tells them apart only by indicator code.
    set.tests.forEach((test, i) => {
      const sharing = set.tests.filter((other) => other.serviceCodes.some((s) => test.serviceCodes.includes(s)));
      if (sharing.length > 1 && test.mohIndicatorCodes.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['tests', i, 'mohIndicatorCodes'], message: 'a test sharing its service code with another needs its own indicator codes' });
      }
    });
  });

/** A rule set file as validated (the JSON shape). */
export type RuleSetFile = z.infer<typeof ruleSetSchema>;

function toRuleSet(file: RuleSetFile): RuleSet {
  const { $comment: _comment, version, effectiveFrom, tests } = file;
  return { version, effectiveFrom: Date.parse(effectiveFrom), tests };
}

/** Validates one rule set file's content; the error names the file and the field (`tests/3/loinc`). */
export function parseRuleSet(raw: unknown, source: string): RuleSet {
  const parsed = ruleSetSchema.safeParse(raw);
  if (parsed.success) return toRuleSet(parsed.data);
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('/') || '(root)'}: ${issue.message}`);
  throw new Error(`rule set ${source} is invalid: ${problems.join('; ')}`);
}

/**
 * The reuse rule sets: the versions shipped with the service, plus every `*.json` in `extraDir`
 * (LAB_RULE_SETS_DIR) — a new circular is a new file loaded at its effective date, never a code
 * change. Validated at boot: a bad file, or two files claiming one version or one effective instant,
 * stops the service rather than deciding on a guess. Sorted by effective date.
 */
export function loadRuleSets(extraDir?: string): RuleSet[] {
  const sets = SHIPPED.map((raw, i) => parseRuleSet(raw, `shipped #${i}`));
  if (extraDir !== undefined && extraDir !== '') {
    const files = readdirSync(extraDir)
      .filter((name) => name.endsWith('.json'))
      .sort();
    for (const name of files) {
      const path = join(extraDir, name);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new Error(`rule set ${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
      sets.push(parseRuleSet(raw, path));
    }
  }
  const versions = new Set<string>();
  const instants = new Set<number>();
  for (const set of sets) {
    if (versions.has(set.version)) throw new Error(`rule set version ${set.version} is defined twice: a new rule set needs a new version`);
    if (instants.has(set.effectiveFrom)) throw new Error(`two rule sets take effect at ${new Date(set.effectiveFrom).toISOString()}: which one applies would be a guess`);
    versions.add(set.version);
    instants.add(set.effectiveFrom);
  }
  return sets.sort((a, b) => a.effectiveFrom - b.effectiveFrom);
}
