import { formatMinistryDateTime } from '@lienthong/vn-standards';
import { TABLE_LAYOUT, type Xml130TableKey } from './tables';

/**
 * A field as the writer takes it: text as is (so fixtures can write "5,6", "20250230…", "0000"),
 * a number, or a Date written as Vietnam local `yyyymmddHHMM`. `''` writes an empty element;
 * null or undefined leaves the element out.
 */
export type Xml130FieldValue = string | number | Date | null | undefined;
export type Xml130FieldsInput = Readonly<Record<string, Xml130FieldValue>>;

/** A further FILEHOSO entry: another table's XML (encoded here), or NOIDUNGFILE text written verbatim. */
export type Xml130ExtraFile =
  | { readonly loaiHoSo: string; readonly xml: string }
  | { readonly loaiHoSo: string; readonly base64: string };

export interface Xml130VisitInput {
  readonly xml1?: Xml130FieldsInput;
  readonly xml3?: readonly Xml130FieldsInput[];
  readonly xml4?: readonly Xml130FieldsInput[];
  /** Written after XML1, XML3 and XML4, in order (wrapper form only). */
  readonly extra?: readonly Xml130ExtraFile[];
}

export interface BuildXml130Options {
  /** `wrapper` (default): GIAMDINHHS with base64 FILEHOSO entries. `plain`: one table's own XML. */
  readonly form?: 'wrapper' | 'plain';
  /** The table a plain file holds (default xml4); `xml1` takes exactly one visit. */
  readonly table?: Xml130TableKey;
  /** Line end between elements (default `\n`); `\r\n` as Windows systems write. */
  readonly newline?: '\n' | '\r\n';
  /** Field text in CDATA sections (and NOIDUNGFILE too, in the wrapper). */
  readonly cdata?: boolean;
  /** Wrap NOIDUNGFILE every n characters (76 as MIME does); default one line. */
  readonly base64LineLength?: number;
  /** THONGTINDONVI/MACSKCB. */
  readonly facility?: string;
  /** THONGTINHOSO/NGAYLAP (yyyymmdd, Vietnam local date). */
  readonly createdAt?: Date;
  /** THONGTINHOSO/SOLUONGHOSO; left out when not given (a streamed file may not know it up front). */
  readonly count?: number;
}

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

function fieldText(value: string | number | Date): string {
  if (value instanceof Date) return formatMinistryDateTime(value);
  return String(value);
}

function fieldsXml(fields: Xml130FieldsInput, options: BuildXml130Options, indent: string): string {
  const nl = options.newline ?? '\n';
  let out = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || value === undefined) continue;
    const text = fieldText(value);
    const content = text === '' ? '' : options.cdata === true ? cdata(text) : escapeText(text);
    out += content === '' ? `${indent}<${name}/>${nl}` : `${indent}<${name}>${content}</${name}>${nl}`;
  }
  return out;
}

/** One table's XML as a FILEHOSO carries it (or a plain file holds it). */
export function buildXml130Table(
  table: Xml130TableKey,
  records: readonly Xml130FieldsInput[],
  options: BuildXml130Options = {},
): string {
  const nl = options.newline ?? '\n';
  const layout = TABLE_LAYOUT[table];
  if (table === 'xml1') {
    if (records.length !== 1) throw new RangeError(`XML1 holds exactly one TONG_HOP, got ${records.length}`);
    return `${DECLARATION}${nl}<TONG_HOP>${nl}${fieldsXml(records[0] ?? {}, options, '  ')}</TONG_HOP>${nl}`;
  }
  let out = `${DECLARATION}${nl}<${layout.root}>${nl}  <${layout.list ?? ''}>${nl}`;
  for (const record of records) {
    out += `    <${layout.record}>${nl}${fieldsXml(record, options, '      ')}    </${layout.record}>${nl}`;
  }
  return `${out}  </${layout.list ?? ''}>${nl}</${layout.root}>${nl}`;
}

function base64Text(xml: string, options: BuildXml130Options): string {
  const encoded = Buffer.from(xml, 'utf8').toString('base64');
  const width = options.base64LineLength ?? 0;
  if (width <= 0) return encoded;
  const nl = options.newline ?? '\n';
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += width) lines.push(encoded.slice(i, i + width));
  return nl + lines.join(nl) + nl;
}

function fileHoso(loaiHoSo: string, noiDung: string, options: BuildXml130Options): string {
  const nl = options.newline ?? '\n';
  const content = options.cdata === true ? cdata(noiDung) : escapeText(noiDung);
  return (
    `        <FILEHOSO>${nl}          <LOAIHOSO>${escapeText(loaiHoSo)}</LOAIHOSO>${nl}` +
    `          <NOIDUNGFILE>${content}</NOIDUNGFILE>${nl}        </FILEHOSO>${nl}`
  );
}

function hosoXml(visit: Xml130VisitInput, options: BuildXml130Options): string {
  const nl = options.newline ?? '\n';
  let out = `      <HOSO>${nl}`;
  const tables: [Xml130TableKey, readonly Xml130FieldsInput[] | undefined][] = [
    ['xml1', visit.xml1 === undefined ? undefined : [visit.xml1]],
    ['xml3', visit.xml3],
    ['xml4', visit.xml4],
  ];
  for (const [table, records] of tables) {
    if (records === undefined) continue;
    out += fileHoso(table.toUpperCase(), base64Text(buildXml130Table(table, records, options), options), options);
  }
  for (const extra of visit.extra ?? []) {
    const text = 'xml' in extra ? base64Text(extra.xml, options) : extra.base64;
    out += fileHoso(extra.loaiHoSo, text, options);
  }
  return `${out}      </HOSO>${nl}`;
}

function localDate(date: Date): string {
  return formatMinistryDateTime(date).slice(0, 8);
}

/**
 * The file as a sequence of strings, one per visit between the head and the tail, so a generator of
 * visits streams into a file or a request body without the whole file in memory:
 * `pipeline(Readable.from(xml130Chunks(visits())), createWriteStream(path))`.
 */
export function* xml130Chunks(
  visits: Iterable<Xml130VisitInput>,
  options: BuildXml130Options = {},
): Generator<string, void, undefined> {
  const nl = options.newline ?? '\n';
  if ((options.form ?? 'wrapper') === 'plain') {
    const table = options.table ?? 'xml4';
    if (table === 'xml1') {
      const all = [...visits];
      if (all.length !== 1 || all[0]?.xml1 === undefined) {
        throw new RangeError('a plain XML1 file (TONG_HOP root) holds exactly one visit with xml1');
      }
      yield buildXml130Table('xml1', [all[0].xml1], options);
      return;
    }
    const layout = TABLE_LAYOUT[table];
    yield `${DECLARATION}${nl}<${layout.root}>${nl}  <${layout.list ?? ''}>${nl}`;
    for (const visit of visits) {
      let out = '';
      for (const record of visit[table] ?? []) {
        out += `    <${layout.record}>${nl}${fieldsXml(record, options, '      ')}    </${layout.record}>${nl}`;
      }
      if (out !== '') yield out;
    }
    yield `  </${layout.list ?? ''}>${nl}</${layout.root}>${nl}`;
    return;
  }
  let head = `${DECLARATION}${nl}<GIAMDINHHS>${nl}`;
  if (options.facility !== undefined) {
    head += `  <THONGTINDONVI>${nl}    <MACSKCB>${escapeText(options.facility)}</MACSKCB>${nl}  </THONGTINDONVI>${nl}`;
  }
  head += `  <THONGTINHOSO>${nl}`;
  if (options.createdAt !== undefined) head += `    <NGAYLAP>${localDate(options.createdAt)}</NGAYLAP>${nl}`;
  if (options.count !== undefined) head += `    <SOLUONGHOSO>${options.count}</SOLUONGHOSO>${nl}`;
  yield `${head}    <DANHSACHHOSO>${nl}`;
  for (const visit of visits) yield hosoXml(visit, options);
  yield `    </DANHSACHHOSO>${nl}  </THONGTINHOSO>${nl}  <CHUKYDONVI/>${nl}</GIAMDINHHS>${nl}`;
}

/** The whole file as one string (fixtures, small demo files). */
export function buildXml130File(visits: Iterable<Xml130VisitInput>, options: BuildXml130Options = {}): string {
  return [...xml130Chunks(visits, options)].join('');
}
