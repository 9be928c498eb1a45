import {
  bhytSocialInsuranceNumber,
  currentProvinceForFormerCode,
  familyNameKey,
  looksLikeMojibake,
  parseCccd,
  parseVietnameseName,
  phoneMatchKey,
  province2025,
  type ParsedVietnameseName,
  type PartialDate,
  type Sex,
} from '@lienthong/vn-standards';

/** Demographics of one patient record as the matcher needs them; every field may be missing. */
export interface MatchRecord {
  readonly name: string;
  readonly sex?: Sex | undefined;
  readonly birthDate?: PartialDate | undefined;
  readonly cccd?: string | undefined;
  /** Cancelled/re-issued numbers from the identifier history: still the same person. */
  readonly previousCccds?: readonly string[] | undefined;
  /** Legacy 15-character code or 10-digit number; only the social-insurance number is compared. */
  readonly bhytCode?: string | undefined;
  readonly phone?: string | undefined;
  /** Province code, either pre- or post-07/2025 numbering. */
  readonly provinceCode?: string | undefined;
  readonly communeCode?: string | undefined;
}

/**
 * Normalised once per record so scoring thousands of candidates does no string work twice; the
 * service can persist these fields next to the patient to serve blocking queries from indexes.
 */
export interface PreparedMatchRecord {
  readonly kind: 'prepared';
  readonly name: ParsedVietnameseName;
  /** False for empty or mojibake names: they must not count as agreement or disagreement. */
  readonly nameUsable: boolean;
  readonly familyKeys: readonly string[];
  readonly sex: Sex | undefined;
  readonly birthDate: PartialDate | undefined;
  readonly cccds: readonly string[];
  readonly socialInsuranceNumber: string | undefined;
  readonly phone: string | undefined;
  /** Post-07/2025 province code. */
  readonly province: string | undefined;
  readonly commune: string | undefined;
}

function currentProvince(code: string | undefined): string | undefined {
  if (code === undefined || code.trim() === '') return undefined;
  const trimmed = code.trim().padStart(2, '0');
  // Merged provinces kept a predecessor's code, so looking up "former" first is correct for both.
  return currentProvinceForFormerCode(trimmed)?.code ?? province2025(trimmed)?.code;
}

export function prepareMatchRecord(record: MatchRecord | PreparedMatchRecord): PreparedMatchRecord {
  if ('kind' in record) return record;
  const name = parseVietnameseName(record.name);
  const cccds = [record.cccd, ...(record.previousCccds ?? [])]
    .filter((c): c is string => c !== undefined && parseCccd(c).ok)
    .map((c) => c.trim());
  return {
    kind: 'prepared',
    name,
    nameUsable: name.tokens.length >= 2 && !looksLikeMojibake(record.name),
    familyKeys: name.tokens.map(familyNameKey),
    sex: record.sex,
    birthDate: record.birthDate,
    cccds,
    socialInsuranceNumber:
      record.bhytCode === undefined ? undefined : bhytSocialInsuranceNumber(record.bhytCode),
    phone: phoneMatchKey(record.phone),
    province: currentProvince(record.provinceCode),
    commune: record.communeCode?.trim() || undefined,
  };
}
