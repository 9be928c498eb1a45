import { buildXml130File, type Xml130FieldsInput, type Xml130VisitInput } from '@lienthong/xml130';

/*
 * XML 130 visits for the specs (unit, int, e2e), written from the published field lists
 * (docs/VN-STANDARDS.md §3) with the catalogue's codes (config/rule-sets, and TEST_RULE_SETS below).
 * Synthetic people: CCCDs with real birth-registration codes (001 Hà Nội, 079 Hồ Chí Minh) and digit 4
 * matching sex and century; nobody real.
 */

/** Service (MA_DICH_VU) and indicator (MA_CHI_SO) codes of the common tests, as the shipped rule set has them. */
export const CODES = {
  cbc: { service: '22.0121.1369', wbc: '2201211', hgb: '2201212', plt: '2201213' },
  glucose: { service: '23.0075.1494', indicator: '2300751' },
  creatinine: { service: '23.0051.1494', indicator: '2300511' },
  hba1c: { service: '23.0083.1523', indicator: '2300831' },
  hbsag: { service: '24.0117.1715', indicator: '2401171' },
  hiv: { service: '24.0152.1715', indicator: '2401521' },
  bloodCulture: { service: '24.0001.1714', indicator: '2400011' },
  chestXray: { service: '18.0119.0028' },
} as const;

export interface SyntheticPatient {
  readonly maBn: string;
  readonly hoTen: string;
  /** yyyymmdd */
  readonly ngaySinh: string;
  readonly gioiTinh: 1 | 2;
  readonly cccd: string;
}

export const PATIENTS = {
  /** Nguyễn Thị Thu Hà, born 1985 in Hà Nội. */
  ha: { maBn: 'BN-0001', hoTen: 'Nguyễn Thị Thu Hà', ngaySinh: '19850314', gioiTinh: 2, cccd: '001185004211' },
  /** Trần Văn Minh, born 1962 in Hồ Chí Minh City. */
  minh: { maBn: 'BN-0002', hoTen: 'Trần Văn Minh', ngaySinh: '19620730', gioiTinh: 1, cccd: '079062007385' },
  /** Lê Thị Lan, born 1990 in Hà Nội. */
  lan: { maBn: 'BN-0003', hoTen: 'Lê Thị Lan', ngaySinh: '19901102', gioiTinh: 2, cccd: '001190012874' },
} as const satisfies Record<string, SyntheticPatient>;

/** Another synthetic person with a CCCD unique to `seed` (Hà Nội, born 1970, male). */
export function syntheticPatient(seed: number): SyntheticPatient {
  const serial = String(seed % 1_000_000).padStart(6, '0');
  return { maBn: `BN-${serial}`, hoTen: `Phạm Văn Bình ${serial}`, ngaySinh: '19700101', gioiTinh: 1, cccd: `001070${serial}` };
}

export function xml1(facility: string, maLk: string, patient: SyntheticPatient, overrides: Xml130FieldsInput = {}): Xml130FieldsInput {
  return {
    MA_LK: maLk,
    STT: 1,
    MA_BN: patient.maBn,
    HO_TEN: patient.hoTen,
    SO_CCCD: patient.cccd,
    NGAY_SINH: `${patient.ngaySinh}0000`,
    GIOI_TINH: patient.gioiTinh,
    MA_QUOCTICH: '000',
    MA_DANTOC: '01',
    DIA_CHI: 'Số 12 phố Huế, phường Hai Bà Trưng, Hà Nội',
    MATINH_CU_TRU: '01',
    MA_LOAI_KCB: '01',
    MA_CSKCB: facility,
    NGAY_VAO: new Date('2026-11-20T01:00:00Z'),
    NGAY_RA: new Date('2026-11-20T04:00:00Z'),
    ...overrides,
  };
}

/** An XML3 service row: ordered, performed (NGAY_TH_YL) and resulted, with the hospital's price. */
export function xml3(maLk: string, stt: number, service: string, performedAt: Date, overrides: Xml130FieldsInput = {}): Xml130FieldsInput {
  return {
    MA_LK: maLk,
    STT: stt,
    MA_DICH_VU: service,
    TEN_DICH_VU: `Dịch vụ ${service}`,
    DON_VI_TINH: 'Lần',
    SO_LUONG: 1,
    DON_GIA_BV: 45000,
    DON_GIA: 40000,
    NGAY_YL: new Date(performedAt.getTime() - 30 * 60_000),
    NGAY_TH_YL: performedAt,
    NGAY_KQ: new Date(performedAt.getTime() + 60 * 60_000),
    NGUOI_THUC_HIEN: 'KTV.0042',
    MA_MAY: 'XN-AU680-01',
    ...overrides,
  };
}

/** An XML4 result line. */
export function xml4(maLk: string, stt: number, service: string, fields: Xml130FieldsInput): Xml130FieldsInput {
  return { MA_LK: maLk, STT: stt, MA_DICH_VU: service, MA_BS_DOC_KQ: 'BS.0101', ...fields };
}

/**
 * A typical outpatient visit: glucose (in mmol/l, comma decimal), creatinine (umol/L), a CBC (WBC in
 * G/L, haemoglobin in g/L) and HBsAg (Âm tính), performed `performedAt` and resulted an hour later.
 */
export function labVisit(facility: string, maLk: string, patient: SyntheticPatient, performedAt: Date, overrides: { glucose?: string } = {}): Xml130VisitInput {
  const resultAt = new Date(performedAt.getTime() + 60 * 60_000);
  return {
    xml1: xml1(facility, maLk, patient),
    xml3: [
      xml3(maLk, 1, CODES.glucose.service, performedAt),
      xml3(maLk, 2, CODES.creatinine.service, performedAt),
      xml3(maLk, 3, CODES.cbc.service, performedAt, { DON_GIA_BV: 90000 }),
      xml3(maLk, 4, CODES.hbsag.service, performedAt, { DON_GIA_BV: 75000 }),
    ],
    xml4: [
      xml4(maLk, 1, CODES.glucose.service, { MA_CHI_SO: CODES.glucose.indicator, TEN_CHI_SO: 'Glucose máu', GIA_TRI: overrides.glucose ?? '5,6', DON_VI_DO: 'mmol/l', NGAY_KQ: resultAt }),
      xml4(maLk, 2, CODES.creatinine.service, { MA_CHI_SO: CODES.creatinine.indicator, TEN_CHI_SO: 'Creatinin', GIA_TRI: '88', DON_VI_DO: 'umol/L', NGAY_KQ: resultAt }),
      xml4(maLk, 3, CODES.cbc.service, { MA_CHI_SO: CODES.cbc.wbc, TEN_CHI_SO: 'Số lượng bạch cầu (WBC)', GIA_TRI: '7,2', DON_VI_DO: 'G/L', NGAY_KQ: resultAt }),
      xml4(maLk, 4, CODES.cbc.service, { MA_CHI_SO: CODES.cbc.hgb, TEN_CHI_SO: 'Huyết sắc tố (HGB)', GIA_TRI: '135', DON_VI_DO: 'g/L', NGAY_KQ: resultAt }),
      xml4(maLk, 5, CODES.hbsag.service, { MA_CHI_SO: CODES.hbsag.indicator, TEN_CHI_SO: 'HBsAg test nhanh', GIA_TRI: 'Âm tính', NGAY_KQ: resultAt }),
    ],
  };
}

/** Visits as a GIAMDINHHS file of `facility`. */
export function xml130File(facility: string, visits: readonly Xml130VisitInput[]): string {
  return buildXml130File(visits, { facility, createdAt: new Date('2026-11-20T05:00:00Z'), count: visits.length });
}
