import {
  FACILITY_CODE_MESSAGE,
  FACILITY_CODE_PATTERN,
  cccdDemographicWarnings,
  classifyPersonalId,
  datePrecision,
  parseBhytCardList,
  parseCccd,
  parseMinistryBirthDate,
  parseMinistryDate,
  parseMinistryDateTime,
  type DatePrecision,
  type ParsedBhytCard,
  type ParsedCccd,
  type PersonalIdKind,
} from '@lienthong/vn-standards';
import type { Xml130Issue, Xml130Rule, Xml130Severity } from './issues';
import { parseDecimal, parseInteger, parseResultValue, splitList, type ResultValue } from './values';

/** A record's fields as the file wrote them: element name → text (CDATA joined, not trimmed). */
export type RawFields = Readonly<Record<string, string>>;

export type Xml130Sex = 'male' | 'female' | 'undetermined';

/** NGAY_SINH with its unknown parts (`00`) left out: `{ year: 1945, precision: 'year' }`. */
export interface Xml130BirthDate {
  readonly year: number;
  readonly month?: number;
  readonly day?: number;
  readonly precision: DatePrecision;
}

/** SO_CCCD carries a CCCD, a CMND, a passport or an e-ID code; a 12-digit CCCD is also decoded. */
export interface Xml130PersonalId {
  readonly value: string;
  readonly kind: PersonalIdKind;
  readonly cccd?: ParsedCccd;
}

/** What each field type parses to. Times are instants (Vietnam local time read, UTC inside). */
export interface FieldTypes {
  string: string;
  /** Whole number (XML `Number(n)` without decimals). */
  int: number;
  /** Decimal with `.` or `,` (see parseDecimal). */
  decimal: number;
  /** Amount in VND, non-negative decimal. */
  money: number;
  /** `yyyymmddHHMM` Vietnam local time → the instant. */
  datetime: Date;
  /** `yyyymmdd` → ISO calendar date `yyyy-mm-dd` (a local date, no instant). */
  date: string;
  birthdate: Xml130BirthDate;
  sex: Xml130Sex;
  /** MA_CSKCB-shaped 5-character code. */
  facility: string;
  'personal-id': Xml130PersonalId;
  /** `;`-joined list. */
  list: readonly string[];
  'date-list': readonly string[];
  'facility-list': readonly string[];
  'bhyt-list': readonly ParsedBhytCard[];
  'result-value': ResultValue;
}
export type FieldType = keyof FieldTypes;

export interface FieldSpec {
  /** Property name of the parsed value on the record. */
  readonly key: string;
  readonly type: FieldType;
  /** Missing or empty → an issue of this severity. */
  readonly required?: Xml130Severity;
  /** In characters, from the published field list. */
  readonly maxLength?: number;
  readonly maxDigits?: number;
  readonly maxItems?: number;
}

export type FieldSpecs = Readonly<Record<string, FieldSpec>>;

/** The parsed values of a record; a field is undefined when absent, empty or invalid. */
export type ParsedFields<S extends FieldSpecs> = {
  readonly [F in keyof S as S[F]['key']]?: FieldTypes[S[F]['type']];
};

const MA_LK = { key: 'maLk', type: 'string', required: 'error', maxLength: 100 } as const;
const STT = { key: 'stt', type: 'int', maxDigits: 10 } as const;

/**
 * XML1 (TONG_HOP), the fields VN-STANDARDS §3 lists. Lengths are enforced only where the standard's
 * field list gives them; every other element is kept in `raw`.
 */
export const XML1_FIELDS = {
  MA_LK,
  STT,
  MA_BN: { key: 'maBn', type: 'string', required: 'error' },
  HO_TEN: { key: 'hoTen', type: 'string', required: 'error' },
  SO_CCCD: { key: 'soCccd', type: 'personal-id', maxLength: 15 },
  NGAY_SINH: { key: 'ngaySinh', type: 'birthdate', required: 'error', maxLength: 12 },
  GIOI_TINH: { key: 'gioiTinh', type: 'sex', required: 'error' },
  MA_QUOCTICH: { key: 'maQuocTich', type: 'string' },
  MA_DANTOC: { key: 'maDanToc', type: 'string' },
  DIA_CHI: { key: 'diaChi', type: 'string' },
  MATINH_CU_TRU: { key: 'maTinhCuTru', type: 'string' },
  MAHUYEN_CU_TRU: { key: 'maHuyenCuTru', type: 'string' },
  MAXA_CU_TRU: { key: 'maXaCuTru', type: 'string' },
  DIEN_THOAI: { key: 'dienThoai', type: 'string' },
  MA_THE_BHYT: { key: 'maTheBhyt', type: 'bhyt-list' },
  MA_DKBD: { key: 'maDkbd', type: 'facility-list' },
  GT_THE_TU: { key: 'gtTheTu', type: 'date-list' },
  GT_THE_DEN: { key: 'gtTheDen', type: 'date-list' },
  CHAN_DOAN_VAO: { key: 'chanDoanVao', type: 'string' },
  CHAN_DOAN_RV: { key: 'chanDoanRv', type: 'string' },
  MA_BENH_CHINH: { key: 'maBenhChinh', type: 'string', maxLength: 7 },
  MA_BENH_KT: { key: 'maBenhKt', type: 'list', maxItems: 12 },
  MA_PTTT_QT: { key: 'maPtttQt', type: 'list' },
  MA_DOITUONG_KCB: { key: 'maDoiTuongKcb', type: 'string' },
  MA_NOI_DI: { key: 'maNoiDi', type: 'facility' },
  MA_NOI_DEN: { key: 'maNoiDen', type: 'facility' },
  NGAY_VAO: { key: 'ngayVao', type: 'datetime' },
  NGAY_VAO_NOI_TRU: { key: 'ngayVaoNoiTru', type: 'datetime' },
  NGAY_RA: { key: 'ngayRa', type: 'datetime' },
  KET_QUA_DTRI: { key: 'ketQuaDtri', type: 'int', maxDigits: 1 },
  MA_LOAI_RV: { key: 'maLoaiRv', type: 'int', maxDigits: 1 },
  MA_LOAI_KCB: { key: 'maLoaiKcb', type: 'string' },
  MA_KHOA: { key: 'maKhoa', type: 'string' },
  MA_CSKCB: { key: 'maCskcb', type: 'facility', required: 'error' },
  MA_HSBA: { key: 'maHsba', type: 'string' },
  T_THUOC: { key: 'tThuoc', type: 'money' },
  T_VTYT: { key: 'tVtyt', type: 'money' },
  T_TONGCHI_BV: { key: 'tTongChiBv', type: 'money' },
  T_TONGCHI_BH: { key: 'tTongChiBh', type: 'money' },
  T_BNTT: { key: 'tBntt', type: 'money' },
  T_BNCCT: { key: 'tBncct', type: 'money' },
  T_BHTT: { key: 'tBhtt', type: 'money' },
  T_NGUONKHAC: { key: 'tNguonKhac', type: 'money' },
  T_BHTT_GDV: { key: 'tBhttGdv', type: 'money' },
} as const satisfies FieldSpecs;

/**
 * XML3 (CHI_TIET_DVKT): services and medical supplies. MA_DICH_VU is required unless the row is a
 * supply (MA_VAT_TU set): supply rows carry the supply code and often no service code.
 */
export const XML3_FIELDS = {
  MA_LK,
  STT: { ...STT, required: 'error' },
  MA_DICH_VU: { key: 'maDichVu', type: 'string' },
  MA_VAT_TU: { key: 'maVatTu', type: 'string' },
  TEN_DICH_VU: { key: 'tenDichVu', type: 'string' },
  DON_VI_TINH: { key: 'donViTinh', type: 'string' },
  SO_LUONG: { key: 'soLuong', type: 'decimal' },
  DON_GIA_BV: { key: 'donGiaBv', type: 'money' },
  DON_GIA: { key: 'donGia', type: 'money' },
  THANH_TIEN_BV: { key: 'thanhTienBv', type: 'money' },
  NGAY_YL: { key: 'ngayYl', type: 'datetime', required: 'error' },
  NGAY_TH_YL: { key: 'ngayThYl', type: 'datetime' },
  NGAY_KQ: { key: 'ngayKq', type: 'datetime' },
  NGUOI_THUC_HIEN: { key: 'nguoiThucHien', type: 'list' },
  MA_MAY: { key: 'maMay', type: 'string' },
  MA_BAC_SI: { key: 'maBacSi', type: 'list' },
} as const satisfies FieldSpecs;

/**
 * XML4 (CHI_TIET_CLS), the exact published fields. NGAY_KQ is required by the standard, but a row
 * without it is still a result (one lacking its result time): a warning on that row, not an error.
 */
export const XML4_FIELDS = {
  MA_LK,
  STT: { ...STT, required: 'error' },
  MA_DICH_VU: { key: 'maDichVu', type: 'string', required: 'error', maxLength: 15 },
  MA_CHI_SO: { key: 'maChiSo', type: 'string', maxLength: 50 },
  TEN_CHI_SO: { key: 'tenChiSo', type: 'string', maxLength: 255 },
  GIA_TRI: { key: 'giaTri', type: 'result-value', maxLength: 50 },
  DON_VI_DO: { key: 'donViDo', type: 'string', maxLength: 50 },
  MO_TA: { key: 'moTa', type: 'string' },
  KET_LUAN: { key: 'ketLuan', type: 'string' },
  NGAY_KQ: { key: 'ngayKq', type: 'datetime', required: 'warning', maxLength: 12 },
  MA_BS_DOC_KQ: { key: 'maBsDocKq', type: 'list', maxLength: 255 },
} as const satisfies FieldSpecs;

/** XML3 price: DON_GIA_BV (the hospital's price) when given, else DON_GIA. */
export interface Xml3Price {
  readonly amount: number;
  readonly source: 'DON_GIA_BV' | 'DON_GIA';
}

export type Xml1Record = { readonly raw: RawFields } & ParsedFields<typeof XML1_FIELDS>;
export type Xml3Row = {
  /** Position in the visit's `xml3` list (the row index in pointers). */
  readonly index: number;
  readonly raw: RawFields;
  readonly price?: Xml3Price;
} & ParsedFields<typeof XML3_FIELDS>;
export type Xml4Row = { readonly index: number; readonly raw: RawFields } & ParsedFields<typeof XML4_FIELDS>;

type Problem = { readonly rule: Xml130Rule; readonly message: string };
type Outcome = { readonly value: unknown } | Problem;

const problem = (rule: Xml130Rule, message: string): Problem => ({ rule, message });

/** The first violation of a vn-standards validator as this reader's problem. */
function firstProblem(errors: readonly { rule: Xml130Rule; message: string }[]): Problem {
  return problem(errors[0]?.rule ?? 'format', errors[0]?.message ?? '');
}

function parseDateTime(value: string): Outcome {
  if (!/^[0-9]{12}$/.test(value)) return problem('format', 'expected yyyymmddHHMM');
  const parsed = parseMinistryDateTime(value);
  return parsed.ok ? { value: new Date(parsed.value) } : firstProblem(parsed.errors);
}

function parseDate(value: string): Outcome {
  const parsed = parseMinistryDate(value);
  return parsed.ok ? { value: parsed.value } : firstProblem(parsed.errors);
}

function parseBirthDate(value: string): Outcome {
  const parsed = parseMinistryBirthDate(value);
  if (!parsed.ok) return firstProblem(parsed.errors);
  const time = value.slice(8);
  if (time.length === 4 && (Number(time.slice(0, 2)) > 23 || Number(time.slice(2)) > 59)) {
    return problem('impossible-date', `no such time ${time}`);
  }
  return { value: { ...parsed.value, precision: datePrecision(parsed.value) } };
}

function parsePersonalId(value: string): Outcome {
  if (/^[0-9]{12}$/.test(value)) {
    const parsed = parseCccd(value);
    return parsed.ok
      ? { value: { value, kind: 'cccd', cccd: parsed.value } }
      : problem('cccd-province-code', parsed.errors[0]?.message ?? 'unknown birth-registration code');
  }
  return { value: { value, kind: classifyPersonalId(value) } };
}

function parseList(value: string, spec: FieldSpec, each?: (part: string) => Outcome): Outcome {
  const parts = splitList(value);
  if (spec.maxItems !== undefined && parts.length > spec.maxItems) {
    return problem('max-items', `${parts.length} entries, at most ${spec.maxItems}`);
  }
  if (each === undefined) return { value: parts };
  const values: unknown[] = [];
  for (const [i, part] of parts.entries()) {
    const outcome = each(part);
    if ('rule' in outcome) return problem(outcome.rule, `entry ${i + 1} "${part}": ${outcome.message}`);
    values.push(outcome.value);
  }
  return { value: values };
}

function parseFacility(value: string): Outcome {
  return FACILITY_CODE_PATTERN.test(value) ? { value } : problem('facility-code', FACILITY_CODE_MESSAGE);
}

function parseValue(value: string, spec: FieldSpec): Outcome {
  const type = spec.type;
  switch (type) {
    case 'string':
      return { value };
    case 'int': {
      const parsed = parseInteger(value, spec.maxDigits);
      return parsed.ok ? { value: parsed.value } : problem('number', parsed.errors[0]?.message ?? '');
    }
    case 'decimal':
    case 'money': {
      const parsed = parseDecimal(value);
      if (!parsed.ok) return problem('number', parsed.errors[0]?.message ?? '');
      if (type === 'money' && parsed.value < 0) return problem('number', 'an amount cannot be negative');
      return { value: parsed.value };
    }
    case 'datetime':
      return parseDateTime(value);
    case 'date':
      return parseDate(value);
    case 'birthdate':
      return parseBirthDate(value);
    case 'sex':
      return value === '1' || value === '2' || value === '3'
        ? { value: ({ '1': 'male', '2': 'female', '3': 'undetermined' } as const)[value] }
        : problem('code', 'GIOI_TINH is 1 (male), 2 (female) or 3 (undetermined)');
    case 'facility':
      return parseFacility(value);
    case 'personal-id':
      return parsePersonalId(value);
    case 'list':
      return parseList(value, spec);
    case 'date-list':
      return parseList(value, spec, parseDate);
    case 'facility-list':
      return parseList(value, spec, parseFacility);
    case 'bhyt-list': {
      const { cards, rejected } = parseBhytCardList(value);
      return rejected.length > 0
        ? problem('bhyt', `not a health-insurance card number: ${rejected.join(', ')}`)
        : { value: cards };
    }
    case 'result-value':
      return { value: parseResultValue(value) };
  }
}

export interface ParsedRecord {
  readonly parsed: Record<string, unknown>;
  readonly issues: Xml130Issue[];
}

/**
 * Parses the fields a spec knows, reporting every broken rule of the record at once. `at(field)`
 * builds the field's pointer. Unknown elements stay in `raw` only.
 */
export function parseFields(raw: RawFields, specs: FieldSpecs, at: (field: string) => string): ParsedRecord {
  const parsed: Record<string, unknown> = {};
  const issues: Xml130Issue[] = [];
  const report = (field: string, rule: Xml130Rule, message: string, severity: Xml130Severity = 'error'): void => {
    issues.push({ pointer: at(field), rule, message, severity });
  };
  for (const [field, spec] of Object.entries(specs)) {
    const text = raw[field];
    const value = text?.trim() ?? '';
    if (value === '') {
      if (spec.required === 'error') report(field, 'required', `${field} is required`);
      else if (spec.required === 'warning') {
        report(field, 'required', `${field} is missing: the record is kept without it`, 'warning');
      }
      continue;
    }
    if (value.includes('\uFFFD')) {
      report(field, 'encoding', `${field} holds bytes that are not UTF-8`);
      continue;
    }
    if (spec.maxLength !== undefined && value.length > spec.maxLength) {
      report(field, 'max-length', `${field} is ${value.length} characters, at most ${spec.maxLength}`);
      continue;
    }
    const outcome = parseValue(value, spec);
    if ('rule' in outcome) report(field, outcome.rule, `${field}: ${outcome.message}`);
    else parsed[spec.key] = outcome.value;
  }
  return { parsed, issues };
}

/** XML1 checks across fields: a decoded CCCD against GIOI_TINH and NGAY_SINH (soft, warnings). */
export function xml1CrossFieldIssues(record: Xml1Record, at: (field: string) => string): Xml130Issue[] {
  const cccd = record.soCccd?.cccd;
  if (cccd === undefined) return [];
  const sex = record.gioiTinh === 'male' || record.gioiTinh === 'female' ? record.gioiTinh : undefined;
  return cccdDemographicWarnings(cccd.value, { birthYear: record.ngaySinh?.year, sex }).map((w) => ({
    pointer: at('SO_CCCD'),
    rule: 'cccd-demographics',
    message: w.message,
    severity: 'warning',
  }));
}

/** XML3 row checks across fields: a service or a supply code; the price from DON_GIA_BV else DON_GIA. */
export function xml3Extras(
  raw: RawFields,
  row: ParsedFields<typeof XML3_FIELDS>,
  at: (field: string) => string,
): { price: Xml3Price | undefined; issues: Xml130Issue[] } {
  const issues: Xml130Issue[] = [];
  if ((raw['MA_DICH_VU']?.trim() ?? '') === '' && (raw['MA_VAT_TU']?.trim() ?? '') === '') {
    issues.push({
      pointer: at('MA_DICH_VU'),
      rule: 'required',
      message: 'MA_DICH_VU is required (or MA_VAT_TU for a supply)',
      severity: 'error',
    });
  }
  const price: Xml3Price | undefined =
    row.donGiaBv !== undefined
      ? { amount: row.donGiaBv, source: 'DON_GIA_BV' }
      : row.donGia !== undefined
        ? { amount: row.donGia, source: 'DON_GIA' }
        : undefined;
  return { price, issues };
}
