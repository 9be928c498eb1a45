import { type LabResult } from '@lienthong/contracts';
import { randomUUID } from 'node:crypto';

/** A canonical result as the XML path stores it (no collection time, performance from XML3 NGAY_TH_YL), overridable field by field. */
export function labResult(overrides: Partial<Omit<LabResult, 'test'>> & { readonly test?: Partial<LabResult['test']> } = {}): LabResult {
  const { test, ...rest } = overrides;
  return {
    resultId: randomUUID(),
    version: 1,
    enterprisePatientId: randomUUID(),
    performingFacility: '79101',
    source: { format: 'xml130', visitKey: 'LK-0001', lineKey: '23.0075.1494/2300751' },
    value: { kind: 'quantity', value: 5.6, comparator: null },
    unit: { original: 'mmol/l', ucum: 'mmol/L' },
    referenceRange: null,
    abnormalFlag: null,
    performedAt: new Date(Date.now() - 3_600_000).toISOString(),
    performedAtSource: 'xml3.NGAY_TH_YL',
    collectedAt: null,
    resultAt: new Date(Date.now() - 1_800_000).toISOString(),
    status: 'final',
    signer: 'BS-0042',
    priceVnd: 21_500,
    missingFields: ['collectedAt', 'referenceRange', 'abnormalFlag', 'performingLab'],
    ...rest,
    test: {
      catalogueCode: 'GLU',
      mohIndicatorCode: '2300751',
      serviceCode: '23.0075.1494',
      name: 'Glucose',
      loinc: '14749-6',
      discipline: 'biochemistry',
      consentCategory: 'lab',
      ...test,
    },
  };
}
