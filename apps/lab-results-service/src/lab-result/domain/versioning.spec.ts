import { type LabResult } from '@lienthong/contracts';
import { type CanonicalLine } from './canonical-result';
import { canonicalJson, contentHash, type CurrentResult, planVersions } from './versioning';

const PATIENT = '0190a1b2-0000-7000-8000-000000000001';
const OTHER_PATIENT = '0190a1b2-0000-7000-8000-000000000002';

function line(lineKey: string, value: number): CanonicalLine {
  return {
    performingFacility: '01903',
    source: { format: 'xml130', visitKey: 'DD.1', lineKey },
    test: { catalogueCode: 'GLU', mohIndicatorCode: '2300751', serviceCode: '23.0075.1494', name: 'Glucose', loinc: '2345-7', discipline: 'biochemistry', consentCategory: 'lab' },
    value: { kind: 'quantity', value, comparator: null },
    unit: { original: 'mmol/l', ucum: 'mmol/L' },
    referenceRange: null,
    abnormalFlag: null,
    performedAt: '2026-11-20T01:15:00.000Z',
    performedAtSource: 'xml3.NGAY_TH_YL',
    collectedAt: null,
    resultAt: '2026-11-20T02:40:00.000Z',
    signer: 'BS.0101',
    priceVnd: 45000,
    missingFields: ['collectedAt', 'referenceRange', 'abnormalFlag', 'performingLab'],
  };
}

function stored(l: CanonicalLine, resultId: string, version: number, status: LabResult['status'] = version === 1 ? 'final' : 'amended', patient = PATIENT): CurrentResult {
  return { resultId, lineKey: l.source.lineKey, version, status, contentHash: contentHash(l), result: { ...l, resultId, version, status, enterprisePatientId: patient } };
}

let ids = 0;
const newResultId = () => `0190a1b2-0000-7000-9000-${String(++ids).padStart(12, '0')}`;

describe('which versions a (re)submitted visit writes', () => {
  const a = line('S/A', 5.6);
  const b = line('S/B', 88);

  it('a first submission: version 1 of every line, final', () => {
    const plan = planVersions({ current: [], lines: [a, b], enterprisePatientId: PATIENT, newResultId });
    expect(plan.counts).toEqual({ new: 2, amended: 0, cancelled: 0, unchanged: 0 });
    expect(plan.versions.map((v) => [v.kind, v.result.version, v.result.status, v.result.enterprisePatientId])).toEqual([
      ['new', 1, 'final', PATIENT],
      ['new', 1, 'final', PATIENT],
    ]);
  });

  it('the same content again: nothing to write', () => {
    const plan = planVersions({ current: [stored(a, 'r-a', 1), stored(b, 'r-b', 3)], lines: [a, b], enterprisePatientId: PATIENT, newResultId });
    expect(plan).toEqual({ versions: [], counts: { new: 0, amended: 0, cancelled: 0, unchanged: 2 } });
  });

  it('a corrected value: the next version of the same result, amended', () => {
    const corrected = line('S/A', 6.1);
    const plan = planVersions({ current: [stored(a, 'r-a', 1), stored(b, 'r-b', 1)], lines: [corrected, b], enterprisePatientId: PATIENT, newResultId });
    expect(plan.counts).toEqual({ new: 0, amended: 1, cancelled: 0, unchanged: 1 });
    expect(plan.versions[0]).toMatchObject({ kind: 'amended', result: { resultId: 'r-a', version: 2, status: 'amended', value: { value: 6.1 } } });
    expect(plan.versions[0]?.contentHash).toBe(contentHash(corrected));
  });

  it('a line missing from the resubmitted visit: cancelled, its last content kept; an already cancelled line stays as it is', () => {
    const c = line('S/C', 1);
    const plan = planVersions({ current: [stored(a, 'r-a', 2), stored(b, 'r-b', 1), stored(c, 'r-c', 2, 'cancelled')], lines: [a], enterprisePatientId: PATIENT, newResultId });
    expect(plan.counts).toEqual({ new: 0, amended: 0, cancelled: 1, unchanged: 1 });
    expect(plan.versions).toEqual([{ kind: 'cancelled', contentHash: contentHash(b), result: expect.objectContaining({ resultId: 'r-b', version: 2, status: 'cancelled', value: b.value }) }]);
  });

  it('a cancelled line that comes back: the next version, amended', () => {
    const plan = planVersions({ current: [stored(a, 'r-a', 2, 'cancelled')], lines: [a], enterprisePatientId: PATIENT, newResultId });
    expect(plan.versions.map((v) => [v.kind, v.result.version, v.result.status])).toEqual([['amended', 3, 'amended']]);
  });

  it('the visit now resolves to another patient (a corrected CCCD): every line amended to that patient', () => {
    const plan = planVersions({ current: [stored(a, 'r-a', 1)], lines: [a], enterprisePatientId: OTHER_PATIENT, newResultId });
    expect(plan.versions.map((v) => [v.kind, v.result.enterprisePatientId])).toEqual([['amended', OTHER_PATIENT]]);
  });

  it('the hash is of the content, whatever the order of its keys', () => {
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as CanonicalLine;
    expect(contentHash(reordered)).toBe(contentHash(a));
    expect(contentHash(line('S/A', 5.61))).not.toBe(contentHash(a));
  });

  it('canonical JSON: keys sorted at every level, absent values left out, otherwise JSON as it is', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: null, e: 'é' }], c: undefined }, 'a b': true })).toBe('{"a":{"d":[3,{"e":"é","f":null}]},"a b":true,"b":1}');
    expect(canonicalJson([undefined, 'x', 1.5])).toBe('[null,"x",1.5]');
    expect(JSON.parse(canonicalJson(a))).toEqual(a);
  });

  it('hashes the caller already has are used as they are', () => {
    const plan = planVersions({ current: [stored(a, 'r-a', 1)], lines: [a], lineHashes: ['not the hash of a'], enterprisePatientId: PATIENT, newResultId });
    expect(plan.counts).toEqual({ new: 0, amended: 1, cancelled: 0, unchanged: 0 });
  });
});
