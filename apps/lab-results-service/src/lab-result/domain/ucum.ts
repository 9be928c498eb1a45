/**
 * Units as Vietnamese hospital systems write them (DON_VI_DO), mapped to UCUM where the meaning is
 * certain. The original is always kept beside it; an unknown spelling maps to null, never to a guess.
 * Matching ignores surrounding spaces, spaces around "/", and — only where UCUM itself is
 * case-insensitive in practice for these units (mol, g, l) — the case of the litre.
 */
const UCUM_BY_SPELLING: Readonly<Record<string, string>> = {
  // substance concentration
  'mmol/l': 'mmol/L',
  'umol/l': 'umol/L',
  'µmol/l': 'umol/L',
  'μmol/l': 'umol/L',
  'nmol/l': 'nmol/L',
  'pmol/l': 'pmol/L',
  'meq/l': 'meq/L',
  // mass concentration
  'g/l': 'g/L',
  'g/dl': 'g/dL',
  'mg/l': 'mg/L',
  'mg/dl': 'mg/dL',
  'ug/l': 'ug/L',
  'µg/l': 'ug/L',
  'ng/ml': 'ng/mL',
  'ng/l': 'ng/L',
  'pg/ml': 'pg/mL',
  'ug/dl': 'ug/dL',
  // catalytic activity and international units
  'u/l': 'U/L',
  'iu/l': '[IU]/L',
  'ui/l': '[IU]/L',
  'miu/l': 'm[IU]/L',
  'mui/l': 'm[IU]/L',
  'µiu/ml': 'u[IU]/mL',
  'uiu/ml': 'u[IU]/mL',
  'miu/ml': 'm[IU]/mL',
  'iu/ml': '[IU]/mL',
  // counts (Vietnamese haematology writes G/L and T/L: giga and tera per litre)
  'g/l_count': '10*9/L',
  't/l': '10*12/L',
  '10^9/l': '10*9/L',
  '10*9/l': '10*9/L',
  '10^12/l': '10*12/L',
  '10*12/l': '10*12/L',
  // ratios and sizes
  '%': '%',
  'fl': 'fL',
  'pg': 'pg',
  's': 's',
  'giây': 's',
  'mm/h': 'mm/h',
  'mm/giờ': 'mm/h',
  'ml/ph': 'mL/min',
  'ml/phút': 'mL/min',
};

/**
 * The UCUM code of a unit as written, or null. "G/L" in upper case is the Vietnamese count unit
 * (giga per litre, 10*9/L, WBC and platelets) — not grams, which are written "g/l" or "g/L"; every
 * other spelling is matched without regard to case.
 */
export function ucumOf(original: string | null | undefined): string | null {
  if (original === null || original === undefined) return null;
  const compact = original.trim().replace(/\s*\/\s*/g, '/').replace(/\s+/g, ' ');
  if (compact === '') return null;
  if (compact === 'G/L' || compact === 'Giga/L') return UCUM_BY_SPELLING['g/l_count'] ?? null;
  return UCUM_BY_SPELLING[compact.toLowerCase()] ?? null;
}
