import { type Xml1Record } from '@lienthong/xml130';
import { canonicalJson } from './versioning';

/**
 * What a visit's XML1 says about the patient, kept (encrypted, DemographicsVault) only until
 * identity-service has resolved the patient, then dropped. Shaped as identity's registration body
 * (`POST /v1/patients`, registerPatientBodySchema) so the call sends it as it is.
 */
export interface VisitDemographics {
  /** The facility's own patient id (MA_BN). */
  readonly localId: string;
  readonly fullName: string;
  /** yyyy, yyyy-mm or yyyy-mm-dd (NGAY_SINH's unknown parts left out). */
  readonly birthDate?: string;
  readonly sex: 1 | 2 | 3;
  readonly identifiers: readonly { readonly system: 'cccd' | 'cmnd' | 'passport' | 'bhyt'; readonly value: string }[];
  readonly address?: { readonly provinceCode?: string; readonly communeCode?: string; readonly line?: string };
  readonly phone?: string;
}

const SEX = { male: 1, female: 2, undetermined: 3 } as const;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * XML1's patient, for identity (pure). SO_CCCD goes as the identifier it is (CCCD, CMND or passport;
 * an unclassifiable value is left out), every distinct MA_THE_BHYT card as `bhyt`; MATINH_CU_TRU and
 * MAXA_CU_TRU only when they have the shape of today's province (2 digits) and commune (5 digits) codes.
 * Undefined when a field identity requires is missing (the reader has already made that visit invalid).
 */
export function demographicsOf(xml1: Xml1Record): VisitDemographics | undefined {
  if (xml1.maBn === undefined || xml1.hoTen === undefined || xml1.gioiTinh === undefined) return undefined;
  const b = xml1.ngaySinh;
  const birthDate = b === undefined ? undefined : [String(b.year).padStart(4, '0'), ...(b.month === undefined ? [] : [pad(b.month)]), ...(b.month !== undefined && b.day !== undefined ? [pad(b.day)] : [])].join('-');
  const identifiers: { system: 'cccd' | 'cmnd' | 'passport' | 'bhyt'; value: string }[] = [];
  const id = xml1.soCccd;
  if (id !== undefined && id.kind !== 'unknown') identifiers.push({ system: id.kind, value: id.value });
  for (const card of xml1.maTheBhyt ?? []) {
    if (!identifiers.some((i) => i.system === 'bhyt' && i.value === card.value)) identifiers.push({ system: 'bhyt', value: card.value });
  }
  const provinceCode = xml1.maTinhCuTru !== undefined && /^[0-9]{2}$/.test(xml1.maTinhCuTru) ? xml1.maTinhCuTru : undefined;
  const communeCode = xml1.maXaCuTru !== undefined && /^[0-9]{5}$/.test(xml1.maXaCuTru) ? xml1.maXaCuTru : undefined;
  const line = xml1.diaChi?.slice(0, 500);
  const address = provinceCode ?? communeCode ?? line;
  return {
    localId: xml1.maBn.slice(0, 100),
    fullName: xml1.hoTen.slice(0, 200),
    ...(birthDate === undefined ? {} : { birthDate }),
    sex: SEX[xml1.gioiTinh],
    identifiers: identifiers.slice(0, 20),
    ...(address === undefined
      ? {}
      : { address: { ...(provinceCode === undefined ? {} : { provinceCode }), ...(communeCode === undefined ? {} : { communeCode }), ...(line === undefined ? {} : { line }) } }),
    ...(xml1.dienThoai === undefined ? {} : { phone: xml1.dienThoai.slice(0, 30) }),
  };
}

/**
 * Where a field of identity's registration body came from in the visit, relative to the visit, so a
 * refusal by identity points at the file (`#/identifiers/0/value` → `/xml1/SO_CCCD`, which a report
 * prefixes with `#/visits/<index>`).
 */
export function xml1PointerFor(demographics: VisitDemographics, identityPointer: string): string {
  const base = '/xml1';
  const [, field = '', index] = /^#\/([A-Za-z]+)(?:\/([0-9]+))?/.exec(identityPointer) ?? [];
  switch (field) {
    case 'localId':
      return `${base}/MA_BN`;
    case 'fullName':
      return `${base}/HO_TEN`;
    case 'birthDate':
      return `${base}/NGAY_SINH`;
    case 'sex':
      return `${base}/GIOI_TINH`;
    case 'phone':
      return `${base}/DIEN_THOAI`;
    case 'address':
      return `${base}/DIA_CHI`;
    case 'identifiers': {
      const system = index === undefined ? undefined : demographics.identifiers[Number(index)]?.system;
      return system === 'bhyt' ? `${base}/MA_THE_BHYT` : `${base}/SO_CCCD`;
    }
    default:
      return base;
  }
}

/** What binds a visit's sealed demographics to it (facility and MA_LK), and names its lock. */
export function visitContext(facilityCode: string, maLk: string): string {
  return `${facilityCode}\u0000${maLk}`;
}

/**
 * What identity receives for a visit's patient, normalised (keys sorted, absent fields left out), under
 * a label of its own: the text a resolution's fingerprint is taken over (DemographicsVault.fingerprint,
 * keyed — a dictionary of CCCDs cannot reverse it). Equal texts: identity was sent exactly this before.
 */
export function demographicsFingerprintContent(demographics: VisitDemographics): string {
  return `identity-registration\u0000${canonicalJson(demographics)}`;
}
