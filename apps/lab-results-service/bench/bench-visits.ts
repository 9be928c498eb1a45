import { type SyntheticPerson } from '@lienthong/synthetic';
import { type Xml130FieldsInput, type Xml130VisitInput } from '@lienthong/xml130';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuleSets } from '../src/config/rule-sets/load-rule-sets';
import { type CatalogueTest, ruleSetAt, type RuleSet } from '../src/reuse/domain/catalogue';
import { pick } from './bench-support';

/**
 * What the lab bench sends: the catalogue's tests as the shipped rule sets describe them, the
 * facilities of identity's synthetic seed registry, people as a facility registers them with
 * identity, and their visits as XML 130 (XML1 + XML3 + XML4) written from the same people, so
 * every visit names a patient identity already knows.
 */

const SEED_FACILITIES_FILE = join(__dirname, '../../identity-service/src/facilities/adapters/seed/data/facilities.synthetic.json');

/** The rule set the service applies now (the shipped rule sets, as it loads them): the catalogue's codes. */
export function catalogueNow(at = Date.now()): RuleSet {
  const set = ruleSetAt(loadRuleSets(), at);
  if (set === undefined) throw new Error('no shipped rule set is in effect now');
  return set;
}

export interface SeedFacility {
  readonly code: string;
  readonly name: string;
  readonly provinceCode: string;
  readonly level: string;
  readonly historicalTier: string;
  readonly labQualityLevel: string;
  readonly iso15189Scope: readonly string[];
  readonly sensitive: boolean;
}

/** identity-service's synthetic seed registry (what identity serves when started with IDENTITY_SEED_FACILITIES=true). */
export function seedFacilities(): SeedFacility[] {
  return (JSON.parse(readFileSync(SEED_FACILITIES_FILE, 'utf8')) as { facilities: SeedFacility[] }).facilities;
}

/** A person as the bench registers and sends them (everyone has a CCCD: patients "already known" by it). */
export interface BenchPerson {
  readonly localId: string;
  readonly facility: string;
  readonly fullName: string;
  /** yyyy, yyyy-mm or yyyy-mm-dd */
  readonly birthDate: string;
  readonly sex: 1 | 2;
  readonly provinceCode: string;
  readonly communeCode: string;
  readonly phone: string | undefined;
  readonly cccd: string;
  readonly bhytCode: string | undefined;
}

export function benchPerson(p: SyntheticPerson & { cccd: string }, facility: string, localId: string): BenchPerson {
  const { year, month, day } = p.birthDate;
  const birthDate = [String(year).padStart(4, '0'), ...[month, day].filter((n): n is number => n !== undefined).map((n) => String(n).padStart(2, '0'))].join('-');
  return {
    localId,
    facility,
    fullName: p.fullName,
    birthDate,
    sex: p.sex === 'male' ? 1 : 2,
    provinceCode: p.provinceCode,
    communeCode: p.communeCode,
    phone: p.phone,
    cccd: p.cccd,
    bhytCode: p.bhytCode,
  };
}

/** The `POST /v1/patients` body the facility's HIS sends to identity-service for this person. */
export function registrationBody(p: BenchPerson): Record<string, unknown> {
  const identifiers = [{ system: 'cccd', value: p.cccd }, ...(p.bhytCode === undefined ? [] : [{ system: 'bhyt', value: p.bhytCode }])];
  return {
    localId: p.localId,
    fullName: p.fullName,
    birthDate: p.birthDate,
    sex: p.sex,
    address: { provinceCode: p.provinceCode, communeCode: p.communeCode },
    ...(p.phone === undefined ? {} : { phone: p.phone }),
    identifiers,
  };
}

// ------------------------------------------------------------------------------------------ visits
/** One ordered service of a visit and the result lines it produces (a CBC is one service, three lines). */
interface Panel {
  readonly serviceCode: string;
  readonly tests: readonly CatalogueTest[];
  readonly weight: number;
}

/** Plausible values per catalogue code: [low, high, decimals, unit variants as hospitals write them]. */
const QUANTITATIVE: Record<string, readonly [number, number, number, readonly string[]]> = {
  WBC: [3.5, 14, 1, ['G/L', '10^9/L']],
  HGB: [95, 165, 0, ['g/L', 'g/l']],
  PLT: [120, 420, 0, ['G/L', '10^9/L']],
  GLU: [3.9, 12.5, 1, ['mmol/L', 'mmol/l']],
  HBA1C: [4.8, 10.5, 1, ['%']],
  CREA: [55, 160, 0, ['µmol/L', 'umol/l']],
  UREA: [2.5, 11, 1, ['mmol/L', 'mmol/l']],
  ALT: [10, 95, 0, ['U/L', 'U/l']],
  AST: [12, 80, 0, ['U/L', 'U/l']],
  CHOL: [3.2, 7.4, 2, ['mmol/L', 'mmol/l']],
  TG: [0.7, 4.8, 2, ['mmol/L', 'mmol/l']],
  HDL: [0.8, 2.1, 2, ['mmol/L', 'mmol/l']],
  LDL: [1.6, 4.9, 2, ['mmol/L', 'mmol/l']],
  NA: [131, 148, 0, ['mmol/L', 'mmol/l']],
  K: [3.1, 5.4, 1, ['mmol/L', 'mmol/l']],
  CL: [95, 110, 0, ['mmol/L', 'mmol/l']],
  TSH: [0.3, 6.5, 2, ['mIU/L', 'µIU/mL']],
  FT4: [9, 24, 1, ['pmol/L', 'pmol/l']],
  CRP: [0.5, 60, 1, ['mg/L', 'mg/l']],
  BILT: [5, 40, 1, ['µmol/L', 'umol/l']],
  TROPT: [3, 60, 1, ['ng/L', 'ng/l']],
};

function panels(catalogue: RuleSet): Panel[] {
  const byService = new Map<string, CatalogueTest[]>();
  for (const t of catalogue.tests) {
    const service = t.serviceCodes[0];
    if (service === undefined) continue;
    byService.set(service, [...(byService.get(service) ?? []), t]);
  }
  // How often a district hospital orders each service (a CBC and a glucose in most visits).
  const weightOf = (tests: readonly CatalogueTest[]): number => {
    const codes = tests.map((t) => t.code);
    if (codes.includes('WBC')) return 90;
    if (codes.includes('GLU') || codes.includes('CREA')) return 70;
    if (codes.includes('ALT') || codes.includes('AST') || codes.includes('UREA')) return 55;
    if (codes.includes('NA')) return 35;
    if (tests[0]?.discipline === 'imaging') return 20;
    if (codes.includes('UA')) return 15;
    if (codes.includes('HIV')) return 3;
    if (tests[0]?.discipline === 'microbiology') return 4;
    return 25;
  };
  return [...byService].map(([serviceCode, tests]) => ({ serviceCode, tests, weight: weightOf(tests) }));
}

/** Lines a test gives: one per indicator code (urinalysis: ten), one for imaging (no indicator). */
const linesOf = (test: CatalogueTest): (string | null)[] => (test.mohIndicatorCodes.length === 0 ? [null] : [...test.mohIndicatorCodes]);

function value(test: CatalogueTest, indicator: string | null, random: () => number): { GIA_TRI?: string; DON_VI_DO?: string; MO_TA?: string; KET_LUAN?: string } {
  const q = QUANTITATIVE[test.code];
  if (q !== undefined) {
    const [low, high, decimals, units] = q;
    const n = (low + random() * (high - low)).toFixed(decimals);
    // Half the hospitals write a decimal comma.
    return { GIA_TRI: random() < 0.5 ? n.replace('.', ',') : n, DON_VI_DO: pick(units, random) };
  }
  if (test.discipline === 'imaging') {
    return { MO_TA: 'Không thấy hình ảnh bất thường.', KET_LUAN: random() < 0.85 ? 'Bình thường' : 'Theo dõi tổn thương nhỏ, đề nghị tái khám' };
  }
  if (test.discipline === 'microbiology') {
    return random() < 0.15 ? { GIA_TRI: 'Dương tính', KET_LUAN: 'Mọc Escherichia coli' } : { GIA_TRI: 'Âm tính', KET_LUAN: 'Không mọc vi khuẩn sau 5 ngày' };
  }
  if (test.code === 'UA') {
    const k = Number((indicator ?? '0').slice(-2));
    return k === 70 || k === 61 ? { GIA_TRI: random() < 0.9 ? '1,015' : '1,025' } : { GIA_TRI: random() < 0.9 ? 'Âm tính' : '(+)' };
  }
  return { GIA_TRI: random() < 0.93 ? 'Âm tính' : 'Dương tính' };
}

const VN_OFFSET_MS = 7 * 3_600_000;
/** `yyyymmddHHMM` in Vietnam time. */
function ministryTime(ms: number): string {
  const d = new Date(ms + VN_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

function ministryBirthDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${y}${m ?? '00'}${d ?? '00'}0000`;
}

/**
 * One outpatient visit of `person` at their facility, `start` ms since the epoch: XML1 from the same
 * demographics identity knows, services ordered until the visit has `minLines`..`maxLines` result
 * lines (XML3 one row per service with NGAY_TH_YL, XML4 one row per indicator), sequence `n` in MA_LK.
 */
export function visitOf(
  person: BenchPerson,
  n: number,
  start: number,
  catalogue: RuleSet,
  random: () => number,
  lines: { min: number; max: number } = { min: 10, max: 20 },
): { visit: Xml130VisitInput; resultLines: number } {
  const maLk = `${person.facility}.${ministryTime(start).slice(2, 8)}.${String(n).padStart(7, '0')}`;
  const all = panels(catalogue);
  const target = lines.min + Math.floor(random() * (lines.max - lines.min + 1));
  const chosen: Panel[] = [];
  let count = 0;
  for (let guard = 0; count < target && guard < 200; guard += 1) {
    const total = all.reduce((s, p) => s + (chosen.includes(p) ? 0 : p.weight), 0);
    if (total === 0) break;
    let x = random() * total;
    const panel = all.find((p) => !chosen.includes(p) && (x -= p.weight) < 0);
    if (panel === undefined) continue;
    const size = panel.tests.reduce((s, t) => s + linesOf(t).length, 0);
    if (count + size > lines.max) continue;
    chosen.push(panel);
    count += size;
  }
  const doctor = `0010750${String(1_000 + (n % 9_000)).padStart(5, '0')}`;
  const technician = `0011900${String(1_000 + (n % 7_000)).padStart(5, '0')}`;
  const xml3: Xml130FieldsInput[] = [];
  const xml4: Xml130FieldsInput[] = [];
  chosen.forEach((panel, s) => {
    const ordered = start + (10 + s * 2) * 60_000;
    const performed = ordered + (15 + Math.floor(random() * 30)) * 60_000;
    const resulted = performed + (30 + Math.floor(random() * 90)) * 60_000;
    const price = panel.tests.reduce((sum, t) => sum + t.priceVnd, 0);
    xml3.push({
      MA_LK: maLk,
      STT: s + 1,
      MA_DICH_VU: panel.serviceCode,
      TEN_DICH_VU: panel.tests.length === 1 ? panel.tests[0]?.nameVi : `${panel.tests[0]?.nameVi ?? ''} (${panel.tests.length} chỉ số)`,
      DON_VI_TINH: 'Lần',
      SO_LUONG: 1,
      DON_GIA_BV: price,
      DON_GIA: price,
      THANH_TIEN_BV: price,
      NGAY_YL: ministryTime(ordered),
      NGAY_TH_YL: ministryTime(performed),
      NGAY_KQ: ministryTime(resulted),
      NGUOI_THUC_HIEN: technician,
      MA_MAY: `XN.${person.facility}.AU480`,
      MA_BAC_SI: doctor,
    });
    for (const test of panel.tests) {
      for (const indicator of linesOf(test)) {
        xml4.push({
          MA_LK: maLk,
          STT: xml4.length + 1,
          MA_DICH_VU: panel.serviceCode,
          ...(indicator === null ? {} : { MA_CHI_SO: indicator }),
          TEN_CHI_SO: test.nameVi.slice(0, 255),
          ...value(test, indicator, random),
          NGAY_KQ: ministryTime(resulted),
          MA_BS_DOC_KQ: doctor,
        });
      }
    }
  });
  const xml1: Xml130FieldsInput = {
    MA_LK: maLk,
    STT: 1,
    MA_BN: person.localId,
    HO_TEN: person.fullName,
    SO_CCCD: person.cccd,
    NGAY_SINH: ministryBirthDate(person.birthDate),
    GIOI_TINH: person.sex,
    MA_QUOCTICH: '000',
    MA_DANTOC: '01',
    MATINH_CU_TRU: person.provinceCode,
    MAXA_CU_TRU: person.communeCode,
    DIEN_THOAI: person.phone,
    MA_THE_BHYT: person.bhytCode,
    MA_DKBD: person.facility,
    CHAN_DOAN_RV: 'Khám sức khỏe định kỳ',
    MA_BENH_CHINH: 'Z00.0',
    MA_DOITUONG_KCB: '1.1',
    NGAY_VAO: ministryTime(start),
    NGAY_RA: ministryTime(start + 4 * 3_600_000),
    KET_QUA_DTRI: 2,
    MA_LOAI_RV: 1,
    MA_LOAI_KCB: '01',
    MA_KHOA: 'K01',
    MA_CSKCB: person.facility,
    T_TONGCHI_BV: xml3.reduce((s, r) => s + Number(r['THANH_TIEN_BV'] ?? 0), 0),
  };
  return { visit: { xml1, xml3, xml4 }, resultLines: xml4.length };
}
