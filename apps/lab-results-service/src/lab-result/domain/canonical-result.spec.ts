import { buildXml130File, readXml130, type Xml130FieldsInput, type Xml130Visit } from '@lienthong/xml130';
import { TEST_RULE_SETS } from '../testing/test-rule-sets';
import { CODES, PATIENTS, xml1, xml3, xml4 } from '../testing/xml130-visits';
import { canonicaliseVisit, lineKeys, PERFORMED_AT_SOURCE } from './canonical-result';
import { ucumOf } from './ucum';

const FACILITY = '01903';
const MA_LK = 'DD.261120.0001';
const PERFORMED = new Date('2026-11-20T01:15:00Z'); // 08:15 in Hà Nội
const RESULTED = new Date('2026-11-20T02:40:00Z');

async function readVisit(rows: { xml3?: Xml130FieldsInput[]; xml4: Xml130FieldsInput[] }): Promise<Xml130Visit> {
  const file = buildXml130File([{ xml1: xml1(FACILITY, MA_LK, PATIENTS.ha), xml3: rows.xml3 ?? [], xml4: rows.xml4 }], { facility: FACILITY });
  for await (const visit of readXml130(file)) return visit;
  throw new Error('no visit');
}

async function canonical(line: Xml130FieldsInput, service: string = CODES.glucose.service, xml3Overrides: Xml130FieldsInput = {}) {
  const visit = await readVisit({ xml3: [xml3(MA_LK, 1, service, PERFORMED, xml3Overrides)], xml4: [xml4(MA_LK, 1, service, { NGAY_KQ: RESULTED, ...line })] });
  const result = canonicaliseVisit({ index: 0, maLk: MA_LK, facilityCode: FACILITY, xml3: visit.tables.xml3, xml4: visit.tables.xml4 }, TEST_RULE_SETS, Date.now());
  return { line: result.lines[0], warnings: result.warnings, visit };
}

describe('canonicalising XML 130 result lines', () => {
  it.each([
    ['mmol/l', '5,6', { kind: 'quantity', value: 5.6, comparator: null }, { original: 'mmol/l', ucum: 'mmol/L' }],
    ['mmol/L', '5.6', { kind: 'quantity', value: 5.6, comparator: null }, { original: 'mmol/L', ucum: 'mmol/L' }],
    [' mmol / L ', '12,25', { kind: 'quantity', value: 12.25, comparator: null }, { original: 'mmol / L', ucum: 'mmol/L' }],
    ['mmol/l', '<0,5', { kind: 'quantity', value: 0.5, comparator: '<' }, { original: 'mmol/l', ucum: 'mmol/L' }],
    ['mmol/l', '>=33,3', { kind: 'quantity', value: 33.3, comparator: '>=' }, { original: 'mmol/l', ucum: 'mmol/L' }],
    ['mg/dl', '101', { kind: 'quantity', value: 101, comparator: null }, { original: 'mg/dl', ucum: 'mg/dL' }],
    ['mmol/lít', '5,6', { kind: 'quantity', value: 5.6, comparator: null }, { original: 'mmol/lít', ucum: null }],
  ])('unit %j, value %j: %j in %j', async (unit, value, expectedValue, expectedUnit) => {
    const { line } = await canonical({ MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: value, DON_VI_DO: unit });
    expect(line?.value).toEqual(expectedValue);
    expect(line?.unit).toEqual(expectedUnit);
  });

  it.each([
    ['Âm tính', { kind: 'coded', code: 'negative', text: 'Âm tính' }],
    ['ÂM TÍNH', { kind: 'coded', code: 'negative', text: 'ÂM TÍNH' }],
    ['Dương tính', { kind: 'coded', code: 'positive', text: 'Dương tính' }],
    ['(+)', { kind: 'coded', code: 'positive', text: '(+)' }],
    ['Không phát hiện', { kind: 'coded', code: 'negative', text: 'Không phát hiện' }],
    ['Mẫu tán huyết, đề nghị lấy lại', { kind: 'text', text: 'Mẫu tán huyết, đề nghị lấy lại' }],
  ])('qualitative %j → %j, no unit expected', async (value, expected) => {
    const { line } = await canonical({ MA_CHI_SO: CODES.hbsag.indicator, GIA_TRI: value }, CODES.hbsag.service);
    expect(line?.value).toEqual(expected);
    expect(line?.missingFields).not.toContain('unit');
    expect(line?.test).toMatchObject({ catalogueCode: 'HBSAG', discipline: 'immunology', consentCategory: 'lab' });
  });

  it('counts units the way Vietnamese haematology writes them: G/L is 10*9/L, g/L grams, T/L 10*12/L', () => {
    expect([ucumOf('G/L'), ucumOf('g/L'), ucumOf('g/l'), ucumOf('T/L'), ucumOf('µmol/L'), ucumOf('umol/l'), ucumOf('U/L'), ucumOf('%'), ucumOf('mIU/L'), ucumOf(''), ucumOf(null)]).toEqual([
      '10*9/L',
      'g/L',
      'g/L',
      '10*12/L',
      'umol/L',
      'umol/L',
      'U/L',
      '%',
      'm[IU]/L',
      null,
      null,
    ]);
  });

  it('takes performedAt from XML3 NGAY_TH_YL, says so, and never passes it (or NGAY_KQ) off as collection time', async () => {
    const { line } = await canonical({ MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: '5,6', DON_VI_DO: 'mmol/l' });
    expect(line).toMatchObject({
      performingFacility: FACILITY,
      source: { format: 'xml130', visitKey: MA_LK, lineKey: `${CODES.glucose.service}/${CODES.glucose.indicator}` },
      test: { catalogueCode: 'GLU', mohIndicatorCode: CODES.glucose.indicator, serviceCode: CODES.glucose.service, loinc: '2345-7', discipline: 'biochemistry' },
      performedAt: PERFORMED.toISOString(),
      performedAtSource: PERFORMED_AT_SOURCE,
      collectedAt: null,
      resultAt: RESULTED.toISOString(),
      signer: 'BS.0101',
      priceVnd: 45000,
      referenceRange: null,
      abnormalFlag: null,
    });
    expect(line?.missingFields).toEqual(['collectedAt', 'referenceRange', 'abnormalFlag', 'performingLab']);
  });

  it('a missing NGAY_KQ: still a result, its result time listed as missing (a warning of the reader, not an error)', async () => {
    const visit = await readVisit({ xml3: [xml3(MA_LK, 1, CODES.glucose.service, PERFORMED)], xml4: [xml4(MA_LK, 1, CODES.glucose.service, { MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: '6,1', DON_VI_DO: 'mmol/L' })] });
    expect(visit.valid).toBe(true);
    expect(visit.errors).toEqual([expect.objectContaining({ pointer: '#/visits/0/xml4/0/NGAY_KQ', severity: 'warning' })]);
    const { lines } = canonicaliseVisit({ index: 0, maLk: MA_LK, facilityCode: FACILITY, xml3: visit.tables.xml3, xml4: visit.tables.xml4 }, TEST_RULE_SETS, Date.now());
    expect(lines[0]).toMatchObject({ resultAt: null, performedAt: PERFORMED.toISOString(), test: { catalogueCode: 'GLU' } });
    expect(lines[0]?.missingFields).toContain('resultAt');
  });

  it('an unknown indicator code: stored with catalogueCode null and the ordinary lab category, with a warning pointing at it', async () => {
    const { line, warnings } = await canonical({ MA_CHI_SO: '9999999', TEN_CHI_SO: 'Chỉ số lạ', GIA_TRI: '1,5', DON_VI_DO: 'mg/L' }, '23.9999.0001');
    expect(line?.test).toEqual({ catalogueCode: null, mohIndicatorCode: '9999999', serviceCode: '23.9999.0001', name: 'Chỉ số lạ', loinc: null, discipline: null, consentCategory: 'lab' });
    expect(line?.value).toEqual({ kind: 'quantity', value: 1.5, comparator: null });
    expect(warnings).toEqual([expect.objectContaining({ pointer: '#/visits/0/xml4/0/MA_CHI_SO', rule: 'unknown-test', severity: 'warning' })]);
  });

  it('a line no XML3 row orders: performedAt and price unknown, said so', async () => {
    const visit = await readVisit({ xml4: [xml4(MA_LK, 1, CODES.glucose.service, { MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: '5', DON_VI_DO: 'mmol/L', NGAY_KQ: RESULTED })] });
    const { lines, warnings } = canonicaliseVisit({ index: 2, maLk: MA_LK, facilityCode: FACILITY, xml3: visit.tables.xml3, xml4: visit.tables.xml4 }, TEST_RULE_SETS, Date.now());
    expect(lines[0]).toMatchObject({ performedAt: null, performedAtSource: null, priceVnd: null });
    expect(lines[0]?.missingFields).toEqual(expect.arrayContaining(['performedAt', 'priceVnd']));
    expect(warnings.map((w) => [w.pointer, w.rule])).toEqual([['#/visits/2/xml4/0/MA_DICH_VU', 'no-service-row']]);
  });

  it('the price is DON_GIA_BV, else DON_GIA', async () => {
    const { line } = await canonical({ MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: '5' }, CODES.glucose.service, { DON_GIA_BV: null, DON_GIA: 38500 });
    expect(line?.priceVnd).toBe(38500);
  });

  it('an imaging line without GIA_TRI gives its conclusion as text; the catalogue finds it by service code', async () => {
    const { line } = await canonical({ TEN_CHI_SO: 'X-quang ngực thẳng', MO_TA: 'Bóng tim không to.', KET_LUAN: 'Không thấy tổn thương tiến triển' }, CODES.chestXray.service);
    expect(line?.value).toEqual({ kind: 'text', text: 'Không thấy tổn thương tiến triển' });
    expect(line?.test).toMatchObject({ catalogueCode: 'CXR', discipline: 'imaging', consentCategory: 'imaging' });
    expect(line?.source.lineKey).toBe(`${CODES.chestXray.service}/#1`);
  });

  it('a sensitive test carries its consent category (HIV)', async () => {
    const { line } = await canonical({ MA_CHI_SO: CODES.hiv.indicator, GIA_TRI: 'Âm tính' }, CODES.hiv.service);
    expect(line?.test.consentCategory).toBe('hiv');
  });

  it('the same indicator twice in a visit (a daily glucose) gets ~2 in document order; no indicator uses STT', async () => {
    const visit = await readVisit({
      xml4: [
        xml4(MA_LK, 1, CODES.glucose.service, { MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: '7' }),
        xml4(MA_LK, 2, CODES.glucose.service, { MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: '6' }),
        xml4(MA_LK, 3, CODES.chestXray.service, { KET_LUAN: 'Bình thường' }),
      ],
    });
    expect(lineKeys(visit.tables.xml4)).toEqual([`${CODES.glucose.service}/${CODES.glucose.indicator}`, `${CODES.glucose.service}/${CODES.glucose.indicator}~2`, `${CODES.chestXray.service}/#3`]);
  });

  it('a result older than every rule set is matched against the earliest set', async () => {
    const { line } = await canonical({ MA_CHI_SO: CODES.glucose.indicator, GIA_TRI: '5', NGAY_KQ: new Date('2024-03-01T02:00:00Z') }, CODES.glucose.service, { NGAY_TH_YL: new Date('2024-03-01T01:00:00Z') });
    expect(line?.test.catalogueCode).toBe('GLU');
  });
});
