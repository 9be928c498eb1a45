import { type DataCategory } from '@lienthong/vn-standards';

export type LabDiscipline = 'haematology' | 'biochemistry' | 'immunology' | 'microbiology' | 'urinalysis' | 'imaging';

/**
 * One test of the catalogue as a rule set describes it. `code` is the platform's short code (the
 * facility registry's ISO 15189 scopes use the same codes: GLU, HBA1C, WBC…). A result is matched to a
 * test by its MoH indicator code (XML4 MA_CHI_SO) first, then by its service code (MA_DICH_VU).
 */
export interface CatalogueTest {
  readonly code: string;
  readonly mohIndicatorCodes: readonly string[];
  readonly serviceCodes: readonly string[];
  readonly nameVi: string;
  readonly nameEn: string;
  readonly loinc: string | null;
  readonly discipline: LabDiscipline;
  /** What a consent must name for the result to be shared (lab, imaging, or a sensitive one such as hiv). */
  readonly consentCategory: DataCategory;
  /** How long a result stays reusable, in hours, counted from `validFrom`. */
  readonly validityHours: number;
  /** Lab tests count from specimen collection, imaging from performance (draft rule). */
  readonly validFrom: 'collection' | 'performance';
  /** Microbiology: only positive results may be reused. */
  readonly positiveOnly: boolean;
  /** Indicative price in VND (what a reuse avoids). */
  readonly priceVnd: number;
  /** The unit results are expected in (UCUM), when the test is quantitative. */
  readonly ucum: string | null;
}

/** A version of the reuse rules: a new circular is a new version loaded with its effective date, never an edit. */
export interface RuleSet {
  readonly version: string;
  /** Epoch milliseconds. */
  readonly effectiveFrom: number;
  readonly tests: readonly CatalogueTest[];
}

/** The rule set in effect at `at`: the latest effective one, never one effective later. */
export function ruleSetAt(sets: readonly RuleSet[], at: number): RuleSet | undefined {
  let chosen: RuleSet | undefined;
  for (const s of sets) if (s.effectiveFrom <= at && (chosen === undefined || s.effectiveFrom > chosen.effectiveFrom)) chosen = s;
  return chosen;
}

/** Finds a test by its catalogue code, MoH indicator code or service code (in that order). */
export function findTest(set: RuleSet, code: string): CatalogueTest | undefined {
  const wanted = code.trim().toUpperCase();
  return (
    set.tests.find((t) => t.code === wanted) ??
    set.tests.find((t) => t.mohIndicatorCodes.includes(code.trim())) ??
    set.tests.find((t) => t.serviceCodes.includes(code.trim()))
  );
}

/**
 * Every test a requested code names: the one its catalogue or MoH indicator code names, else all the
 * tests performed under that service code (a CBC's service code names WBC, HGB and PLT).
 */
export function findTests(set: RuleSet, code: string): CatalogueTest[] {
  const one = set.tests.find((t) => t.code === code.trim().toUpperCase()) ?? set.tests.find((t) => t.mohIndicatorCodes.includes(code.trim()));
  if (one !== undefined) return [one];
  return set.tests.filter((t) => t.serviceCodes.includes(code.trim()));
}

/** The catalogue test a source line is about: its indicator code if it has one, else its service code. */
export function testForLine(set: RuleSet, line: { readonly mohIndicatorCode: string | null; readonly serviceCode: string }): CatalogueTest | undefined {
  const byIndicator = line.mohIndicatorCode === null ? undefined : set.tests.find((t) => t.mohIndicatorCodes.includes(line.mohIndicatorCode ?? ''));
  return byIndicator ?? set.tests.find((t) => t.serviceCodes.includes(line.serviceCode));
}
