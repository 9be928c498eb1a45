import { type CatalogueTest, type RuleSet } from '../../reuse/domain/catalogue';
import { CODES } from './xml130-visits';

/*
 * A small catalogue for the ingest's unit specs (the shipped rule sets in config/rule-sets are the
 * reuse context's; these use the same codes so the same visits read the same everywhere).
 */
const test = (t: Partial<CatalogueTest> & Pick<CatalogueTest, 'code' | 'serviceCodes' | 'discipline'>): CatalogueTest => ({
  mohIndicatorCodes: [],
  nameVi: t.code,
  nameEn: t.code,
  loinc: null,
  consentCategory: 'lab',
  validityHours: 24,
  validFrom: 'collection',
  positiveOnly: false,
  priceVnd: 50_000,
  ucum: null,
  ...t,
});

export const TEST_RULE_SETS: readonly RuleSet[] = [
  {
    version: 'ingest-test-1',
    effectiveFrom: Date.parse('2026-01-01T00:00:00+07:00'),
    tests: [
      test({ code: 'GLU', mohIndicatorCodes: [CODES.glucose.indicator], serviceCodes: [CODES.glucose.service], discipline: 'biochemistry', nameVi: 'Glucose máu', loinc: '2345-7', ucum: 'mmol/L' }),
      test({ code: 'CREA', mohIndicatorCodes: [CODES.creatinine.indicator], serviceCodes: [CODES.creatinine.service], discipline: 'biochemistry', loinc: '2160-0', ucum: 'umol/L' }),
      test({ code: 'WBC', mohIndicatorCodes: [CODES.cbc.wbc], serviceCodes: [CODES.cbc.service], discipline: 'haematology', loinc: '6690-2', ucum: '10*9/L' }),
      test({ code: 'HGB', mohIndicatorCodes: [CODES.cbc.hgb], serviceCodes: [CODES.cbc.service], discipline: 'haematology', loinc: '718-7', ucum: 'g/L' }),
      test({ code: 'HBSAG', mohIndicatorCodes: [CODES.hbsag.indicator], serviceCodes: [CODES.hbsag.service], discipline: 'immunology', loinc: '5196-1' }),
      test({ code: 'HIV', mohIndicatorCodes: [CODES.hiv.indicator], serviceCodes: [CODES.hiv.service], discipline: 'immunology', consentCategory: 'hiv' }),
      test({ code: 'CXR', serviceCodes: [CODES.chestXray.service], discipline: 'imaging', consentCategory: 'imaging', validFrom: 'performance' }),
    ],
  },
];
