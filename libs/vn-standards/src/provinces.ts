/**
 * The 34 provincial-level units in force since 01/07/2025 (Resolution 202/2025/QH15), with their
 * 2-digit codes, and which of the 63 former provinces each absorbed.
 *
 * Source and uncertainty: codes follow the national administrative-unit list as amended for the
 * merger (Decision 19/2025/QĐ-TTg) — a merged province keeps the code of one of its predecessors.
 * This table was compiled from memory of that list and press summaries, NOT checked against the
 * official gazette text; verify before using it for anything but matching and synthetic data, and
 * version it (codes are time-bound). The former-province lists are the widely reported merger plan.
 */
export interface Province2025 {
  readonly code: string;
  readonly name: string;
  /** 2-digit codes of the pre-07/2025 provinces merged into this one (including itself if kept). */
  readonly formerCodes: readonly string[];
}

export const PROVINCES_2025: readonly Province2025[] = Object.freeze([
  { code: '01', name: 'Hà Nội', formerCodes: ['01'] },
  { code: '04', name: 'Cao Bằng', formerCodes: ['04'] },
  { code: '08', name: 'Tuyên Quang', formerCodes: ['08', '02'] },
  { code: '11', name: 'Điện Biên', formerCodes: ['11'] },
  { code: '12', name: 'Lai Châu', formerCodes: ['12'] },
  { code: '14', name: 'Sơn La', formerCodes: ['14'] },
  { code: '15', name: 'Lào Cai', formerCodes: ['15', '10'] },
  { code: '19', name: 'Thái Nguyên', formerCodes: ['19', '06'] },
  { code: '20', name: 'Lạng Sơn', formerCodes: ['20'] },
  { code: '22', name: 'Quảng Ninh', formerCodes: ['22'] },
  { code: '24', name: 'Bắc Ninh', formerCodes: ['24', '27'] },
  { code: '25', name: 'Phú Thọ', formerCodes: ['25', '26', '17'] },
  { code: '31', name: 'Hải Phòng', formerCodes: ['31', '30'] },
  { code: '33', name: 'Hưng Yên', formerCodes: ['33', '34'] },
  { code: '37', name: 'Ninh Bình', formerCodes: ['37', '35', '36'] },
  { code: '38', name: 'Thanh Hóa', formerCodes: ['38'] },
  { code: '40', name: 'Nghệ An', formerCodes: ['40'] },
  { code: '42', name: 'Hà Tĩnh', formerCodes: ['42'] },
  { code: '44', name: 'Quảng Trị', formerCodes: ['44', '45'] },
  { code: '46', name: 'Huế', formerCodes: ['46'] },
  { code: '48', name: 'Đà Nẵng', formerCodes: ['48', '49'] },
  { code: '51', name: 'Quảng Ngãi', formerCodes: ['51', '62'] },
  { code: '52', name: 'Gia Lai', formerCodes: ['64', '52'] },
  { code: '56', name: 'Khánh Hòa', formerCodes: ['56', '58'] },
  { code: '66', name: 'Đắk Lắk', formerCodes: ['66', '54'] },
  { code: '68', name: 'Lâm Đồng', formerCodes: ['68', '67', '60'] },
  { code: '75', name: 'Đồng Nai', formerCodes: ['75', '70'] },
  { code: '79', name: 'Hồ Chí Minh', formerCodes: ['79', '74', '77'] },
  { code: '80', name: 'Tây Ninh', formerCodes: ['72', '80'] },
  { code: '82', name: 'Đồng Tháp', formerCodes: ['87', '82'] },
  { code: '86', name: 'Vĩnh Long', formerCodes: ['86', '83', '84'] },
  { code: '91', name: 'An Giang', formerCodes: ['89', '91'] },
  { code: '92', name: 'Cần Thơ', formerCodes: ['92', '93', '94'] },
  { code: '96', name: 'Cà Mau', formerCodes: ['96', '95'] },
]);

const BY_CODE = new Map(PROVINCES_2025.map((p) => [p.code, p]));
const BY_FORMER = new Map(PROVINCES_2025.flatMap((p) => p.formerCodes.map((f) => [f, p] as const)));

export function province2025(code: string): Province2025 | undefined {
  return BY_CODE.get(code);
}

/**
 * Maps a pre-07/2025 province code (as in MA_CSKCB, MATINH_CU_TRU of older records, or digits 2–3
 * of a CCCD registration code) to the current province, so addresses recorded before and after the
 * merger compare equal.
 */
export function currentProvinceForFormerCode(formerCode: string): Province2025 | undefined {
  return BY_FORMER.get(formerCode);
}
