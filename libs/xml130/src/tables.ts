/**
 * The tables of Decision 130/QĐ-BYT (as amended by 4750 and 3176) by LOAIHOSO, with the element names
 * vendors emit (VN-STANDARDS §3). The reader extracts XML1, XML3 and XML4; every other table is
 * recognised, counted and skipped.
 */

/** The tables this reader turns into records. */
export type Xml130TableKey = 'xml1' | 'xml3' | 'xml4';
export const EXTRACTED_TABLES: readonly Xml130TableKey[] = ['xml1', 'xml3', 'xml4'];

interface TableNames {
  /** LOAIHOSO value, upper case. */
  readonly loaiHoSo: string;
  /** Root and list elements a table file may start with (a bare `DSACH_…` root is common). */
  readonly roots: readonly string[];
  /** The element holding one record's fields (for XML1 the root itself). */
  readonly record: string | undefined;
}

const TABLES: readonly TableNames[] = [
  { loaiHoSo: 'XML1', roots: ['TONG_HOP'], record: 'TONG_HOP' },
  {
    loaiHoSo: 'XML2',
    roots: ['CHITIEU_CHITIET_THUOC', 'DSACH_CHI_TIET_THUOC'],
    record: 'CHI_TIET_THUOC',
  },
  {
    loaiHoSo: 'XML3',
    roots: ['CHITIEU_CHITIET_DVKT_VTYT', 'DSACH_CHI_TIET_DVKT'],
    record: 'CHI_TIET_DVKT',
  },
  {
    loaiHoSo: 'XML4',
    roots: ['CHITIEU_CHITIET_DICHVUCANLAMSANG', 'DSACH_CHI_TIET_CLS'],
    record: 'CHI_TIET_CLS',
  },
  {
    loaiHoSo: 'XML5',
    roots: ['CHITIEU_CHITIET_DIENBIENLAMSANG', 'DSACH_CHI_TIET_DIEN_BIEN_BENH'],
    record: 'CHI_TIET_DIEN_BIEN_BENH',
  },
  { loaiHoSo: 'XML7', roots: ['CHI_TIEU_DU_LIEU_GIAY_RA_VIEN'], record: undefined },
];

const KEY_BY_LOAI: Readonly<Record<string, Xml130TableKey>> = { XML1: 'xml1', XML3: 'xml3', XML4: 'xml4' };

/** XML0 … XML15 (the published numbering); anything else in LOAIHOSO is unknown. */
export function isKnownLoaiHoSo(loaiHoSo: string): boolean {
  return /^XML(1[0-5]|[0-9])$/.test(loaiHoSo);
}

export function tableKeyForLoaiHoSo(loaiHoSo: string): Xml130TableKey | undefined {
  return KEY_BY_LOAI[loaiHoSo];
}

/** The LOAIHOSO a root or record element names, if the reader knows that table. */
export function loaiHoSoForElement(name: string): string | undefined {
  return TABLES.find((t) => t.roots.includes(name) || t.record === name)?.loaiHoSo;
}

/** Record element → the extracted table it belongs to (`CHI_TIET_CLS` → xml4). */
export function tableKeyForRecordElement(name: string): Xml130TableKey | undefined {
  switch (name) {
    case 'TONG_HOP':
      return 'xml1';
    case 'CHI_TIET_DVKT':
      return 'xml3';
    case 'CHI_TIET_CLS':
      return 'xml4';
    default:
      return undefined;
  }
}

export function loaiHoSoForKey(key: Xml130TableKey): string {
  return key.toUpperCase();
}

/** Element names as written, minus a namespace prefix, upper case (vendors differ in both). */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return (colon < 0 ? name : name.slice(colon + 1)).toUpperCase();
}

/** Table layout the writer emits: root, list and record element per extracted table. */
export const TABLE_LAYOUT: Readonly<Record<Xml130TableKey, { root: string; list?: string; record: string }>> = {
  xml1: { root: 'TONG_HOP', record: 'TONG_HOP' },
  xml3: { root: 'CHITIEU_CHITIET_DVKT_VTYT', list: 'DSACH_CHI_TIET_DVKT', record: 'CHI_TIET_DVKT' },
  xml4: { root: 'CHITIEU_CHITIET_DICHVUCANLAMSANG', list: 'DSACH_CHI_TIET_CLS', record: 'CHI_TIET_CLS' },
};
