import { type LabResult, type ResultValue } from '@lienthong/contracts';
import { type ResultValue as Xml130ResultValue, type Xml3Row, type Xml4Row } from '@lienthong/xml130';
import { ruleSetAt, testForLine, type CatalogueTest, type RuleSet } from '../../reuse/domain/catalogue';
import { type FieldViolation } from './lab-result-error';
import { ucumOf } from './ucum';

/**
 * One XML4 line as a canonical result, before it belongs to anyone: what the source said, understood
 * (docs/DESIGN.md "Lab results and reuse"). Who the patient is, which version this is and its status
 * are decided when the visit's patient is known (versioning.ts).
 */
export type CanonicalLine = Omit<LabResult, 'resultId' | 'version' | 'enterprisePatientId' | 'status'>;

/** A warning about one line: the visit is still stored. Same pointer format as the reader's issues. */
export type LineWarning = FieldViolation & { readonly severity: 'warning' };

/** Where performedAt comes from on the XML path: the XML3 service row's NGAY_TH_YL, never passed off as collection time. */
export const PERFORMED_AT_SOURCE = 'xml3.NGAY_TH_YL';

/**
 * What an XML 130 result never carries (VN-STANDARDS §3 "Gap"): specimen collection time, reference
 * range (so no abnormal flag either) and the performing lab (the facility is known, its lab is not).
 */
const XML130_NEVER_GIVES = ['collectedAt', 'referenceRange', 'abnormalFlag', 'performingLab'] as const;

export interface VisitToCanonicalise {
  /** 0-based position of the visit in the file (pointers). */
  readonly index: number;
  readonly maLk: string;
  /** The sending facility (XML1 MA_CSKCB, checked against the caller before this). */
  readonly facilityCode: string;
  readonly xml3: readonly Xml3Row[];
  readonly xml4: readonly Xml4Row[];
}

export interface CanonicalVisit {
  readonly lines: readonly CanonicalLine[];
  readonly warnings: readonly LineWarning[];
}

const iso = (d: Date | undefined): string | null => (d === undefined ? null : d.toISOString());

/** GIA_TRI as the contract's value; an imaging line without one gives its conclusion (KET_LUAN, else MO_TA) as text. */
export function valueOf(value: Xml130ResultValue | undefined, conclusion?: string): ResultValue | null {
  if (value === undefined) return conclusion === undefined ? null : { kind: 'text', text: conclusion };
  switch (value.kind) {
    case 'numeric':
      return { kind: 'quantity', value: value.value, comparator: value.comparator ?? null };
    case 'qualitative':
      return { kind: 'coded', code: value.interpretation, text: value.text };
    case 'text':
      return { kind: 'text', text: value.text };
  }
}

/**
 * The XML3 row an XML4 line belongs to (same MA_LK — the visit — and MA_DICH_VU). When the service was
 * ordered more than once: the row whose NGAY_KQ is the line's, else the latest performed no later than
 * the line's result, else the first.
 */
export function serviceRowFor(line: Xml4Row, xml3: readonly Xml3Row[]): Xml3Row | undefined {
  const rows = xml3.filter((r) => r.maDichVu !== undefined && r.maDichVu === line.maDichVu);
  if (rows.length <= 1) return rows[0];
  const resultAt = line.ngayKq?.getTime();
  if (resultAt !== undefined) {
    const same = rows.find((r) => r.ngayKq?.getTime() === resultAt);
    if (same !== undefined) return same;
    const before = rows
      .filter((r) => r.ngayThYl !== undefined && r.ngayThYl.getTime() <= resultAt)
      .sort((a, b) => (b.ngayThYl?.getTime() ?? 0) - (a.ngayThYl?.getTime() ?? 0));
    if (before[0] !== undefined) return before[0];
  }
  return rows[0];
}

/**
 * Each line's identity inside its visit: MA_DICH_VU + MA_CHI_SO, or MA_DICH_VU + `#STT` when the line
 * has no indicator code. The same indicator measured again in one visit (an inpatient's daily glucose)
 * gets `~2`, `~3`… in document order, so a resubmission of the same visit finds the same keys.
 */
export function lineKeys(xml4: readonly Xml4Row[]): string[] {
  const seen = new Map<string, number>();
  return xml4.map((row) => {
    const base = `${row.maDichVu ?? ''}/${row.maChiSo ?? `#${row.stt ?? row.index + 1}`}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}~${n}`;
  });
}

/** The catalogue test of a line, from the rule set in effect when it was resulted (or performed; the earliest set for older results). */
export function catalogueTestFor(ruleSets: readonly RuleSet[], line: { mohIndicatorCode: string | null; serviceCode: string }, at: number): CatalogueTest | undefined {
  const set = ruleSetAt(ruleSets, at) ?? ruleSets[0];
  return set === undefined ? undefined : testForLine(set, line);
}

/**
 * A visit's XML4 lines as canonical results (pure): joined to XML3 by MA_DICH_VU for performedAt
 * (NGAY_TH_YL, recorded as such) and the price (DON_GIA_BV, else DON_GIA); the test looked up in the
 * catalogue (an unknown indicator code is still a result, with `catalogueCode` null — never reusable);
 * values read (comma decimals, comparators, Âm tính / Dương tính); units kept as written and mapped to
 * UCUM where known; every field the source lacked listed in `missingFields`. `now` picks the rule set
 * for a line with neither a result nor a performance time.
 */
export function canonicaliseVisit(visit: VisitToCanonicalise, ruleSets: readonly RuleSet[], now: number): CanonicalVisit {
  const keys = lineKeys(visit.xml4);
  const warnings: LineWarning[] = [];
  const at = (row: number, field: string) => `#/visits/${visit.index}/xml4/${row}/${field}`;
  const lines = visit.xml4.map((row, i): CanonicalLine => {
    const serviceCode = row.maDichVu ?? '';
    const mohIndicatorCode = row.maChiSo ?? null;
    const service = serviceRowFor(row, visit.xml3);
    if (service === undefined) {
      warnings.push({ pointer: at(row.index, 'MA_DICH_VU'), rule: 'no-service-row', message: 'no XML3 row orders this service: performedAt and price are unknown', severity: 'warning' });
    }
    const performedAt = service?.ngayThYl;
    const resultAt = row.ngayKq;
    const test = catalogueTestFor(ruleSets, { mohIndicatorCode, serviceCode }, (resultAt ?? performedAt)?.getTime() ?? now);
    if (test === undefined) {
      warnings.push({
        pointer: at(row.index, mohIndicatorCode === null ? 'MA_DICH_VU' : 'MA_CHI_SO'),
        rule: 'unknown-test',
        message: 'not in the test catalogue: stored, never offered for reuse',
        severity: 'warning',
      });
    }
    const value = valueOf(row.giaTri, row.ketLuan ?? row.moTa);
    const unitOriginal = row.donViDo ?? null;
    const signer = row.maBsDocKq !== undefined && row.maBsDocKq.length > 0 ? row.maBsDocKq.join(';') : null;
    const price = service?.price?.amount;
    const missingFields = [
      ...XML130_NEVER_GIVES,
      ...(performedAt === undefined ? ['performedAt'] : []),
      ...(resultAt === undefined ? ['resultAt'] : []),
      ...(value === null ? ['value'] : []),
      ...(value?.kind === 'quantity' && unitOriginal === null ? ['unit'] : []),
      ...(signer === null ? ['signer'] : []),
      ...(price === undefined ? ['priceVnd'] : []),
    ];
    return {
      performingFacility: visit.facilityCode,
      source: { format: 'xml130', visitKey: visit.maLk, lineKey: keys[i] ?? '' },
      test: {
        catalogueCode: test?.code ?? null,
        mohIndicatorCode,
        serviceCode,
        name: row.tenChiSo ?? test?.nameVi ?? service?.tenDichVu ?? serviceCode,
        loinc: test?.loinc ?? null,
        discipline: test?.discipline ?? null,
        // A line outside the catalogue is a paraclinical result of unknown kind: the ordinary lab category.
        consentCategory: test?.consentCategory ?? 'lab',
      },
      value,
      unit: { original: unitOriginal, ucum: ucumOf(unitOriginal) },
      referenceRange: null,
      abnormalFlag: null,
      performedAt: iso(performedAt),
      performedAtSource: performedAt === undefined ? null : PERFORMED_AT_SOURCE,
      collectedAt: null,
      resultAt: iso(resultAt),
      signer,
      priceVnd: price === undefined ? null : Math.round(price),
      missingFields,
    };
  });
  return { lines, warnings };
}
