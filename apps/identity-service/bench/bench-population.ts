import { type SyntheticPerson } from '@lienthong/synthetic';
import { foldName } from '@lienthong/vn-standards';

/** Non-sensitive facilities of the synthetic seed registry (bench traffic never lands at an HIV clinic). */
export const BENCH_FACILITIES = [
  '01901', '01902', '01903', '01904', '01905',
  '79901', '79902', '79903', '79904', '79905', '79906',
  '92901', '92902', '92903', '92904',
  '48901', '48902', '48903', '48904',
] as const;

export function isoBirthDate(p: Pick<SyntheticPerson, 'birthDate'>): string {
  const { year, month, day } = p.birthDate;
  return [String(year).padStart(4, '0'), ...[month, day].filter((n): n is number => n !== undefined).map((n) => String(n).padStart(2, '0'))].join('-');
}

/** What the bench keeps of a loaded person to re-register or look it up later. */
export interface SamplePerson {
  readonly fullName: string;
  readonly birthDate: string;
  readonly sex: 1 | 2;
  readonly provinceCode: string;
  readonly communeCode: string;
  readonly phone: string | undefined;
  readonly cccd: string | undefined;
  readonly bhytCode: string | undefined;
  readonly facility: string;
}

export function samplePerson(p: SyntheticPerson, facility: string): SamplePerson {
  return {
    fullName: p.fullName,
    birthDate: isoBirthDate(p),
    sex: p.sex === 'male' ? 1 : 2,
    provinceCode: p.provinceCode,
    communeCode: p.communeCode,
    phone: p.phone,
    cccd: p.cccd,
    bhytCode: p.bhytCode,
    facility,
  };
}

export interface BodyOptions {
  readonly withCccd?: boolean;
  readonly withBhyt?: boolean;
  /** The facility's HIS drops diacritics (common in older systems). */
  readonly asciiName?: boolean;
}

/** The `POST /v1/patients` body a facility HIS sends for this person. */
export function registrationBody(p: SamplePerson, localId: string, options: BodyOptions = {}): Record<string, unknown> {
  const identifiers: { system: string; value: string }[] = [];
  if ((options.withCccd ?? true) && p.cccd !== undefined) identifiers.push({ system: 'cccd', value: p.cccd });
  if ((options.withBhyt ?? true) && p.bhytCode !== undefined) identifiers.push({ system: 'bhyt', value: p.bhytCode });
  return {
    localId,
    fullName: options.asciiName ? foldName(p.fullName) : p.fullName,
    birthDate: p.birthDate,
    sex: p.sex,
    address: { provinceCode: p.provinceCode, communeCode: p.communeCode },
    ...(p.phone !== undefined ? { phone: p.phone } : {}),
    identifiers,
  };
}
