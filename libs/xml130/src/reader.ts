import { SaxesParser } from 'saxes';
import { base64DecodedLength, decodeBase64Strict } from './base64';
import { RecordCollector, type CollectedRecord } from './record-collector';
import {
  isKnownLoaiHoSo,
  loaiHoSoForElement,
  localName,
  tableKeyForLoaiHoSo,
  type Xml130TableKey,
} from './tables';
import { VisitBuilder, type Xml130Visit } from './visit';

/** A Node Readable, any (async) iterable of chunks, or a whole file in memory. */
export type Xml130Input =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | Uint8Array
  | string;

export interface Xml130ReaderOptions {
  /**
   * Tables every visit must carry; a visit without one gets a `required-table` error. Default none:
   * which tables matter is the caller's business (lab-results needs XML1 to find the patient).
   */
  readonly requireTables?: readonly Xml130TableKey[];
  /** Names the input in stream errors. */
  readonly fileName?: string;
}

/** What the file says about itself, filled in as the reader meets it. */
export interface Xml130FileHeader {
  /** `wrapper`: GIAMDINHHS/…/HOSO/FILEHOSO; `plain`: table elements outside any FILEHOSO. */
  form: 'wrapper' | 'plain' | undefined;
  /** The document's root element (local name, upper case). */
  root: string | undefined;
  /** THONGTINDONVI/MACSKCB: the sending facility. */
  maCskcb?: string;
  /** THONGTINHOSO/NGAYLAP, as written. */
  ngayLap?: string;
  /** THONGTINHOSO/SOLUONGHOSO, as written. */
  soLuongHoSo?: string;
}

/**
 * The input is not XML the reader can continue through (not well-formed, truncated, not XML at all).
 * Visits yielded before it are complete; the visit being read when it happened is not yielded.
 */
export class Xml130StreamError extends Error {
  override readonly name = 'Xml130StreamError';
  constructor(
    message: string,
    /** 1-based line and column, 0-based character offset, where the parser stopped. */
    readonly line: number,
    readonly column: number,
    readonly offset: number,
    /** The visit being read, if any. */
    readonly visitIndex: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const HEADER_FIELDS = { MACSKCB: 'maCskcb', NGAYLAP: 'ngayLap', SOLUONGHOSO: 'soLuongHoSo' } as const;

/** Thrown inside a table's parser to stop it at its first error; never escapes this module. */
class TableAbort extends Error {}

interface Entry {
  /** Stack depth of the FILEHOSO element. */
  readonly depth: number;
  loaiHoSo: string;
  /** Text pieces of NOIDUNGFILE. */
  readonly parts: string[];
  capture: 'LOAIHOSO' | 'NOIDUNGFILE' | undefined;
  /** Stack depth of NOIDUNGFILE while inside it. */
  contentDepth: number;
  /** Table XML written inside NOIDUNGFILE as elements, not base64 (some vendors do). */
  inline: { records: CollectedRecord[]; collector: RecordCollector; root: string | undefined } | undefined;
}

/**
 * The outer document: HOSO/FILEHOSO entries in the wrapper, records of plain tables anywhere else.
 * Completed visits queue in `ready` until the iterator hands them out.
 */
class FileParser {
  readonly ready: Xml130Visit[] = [];
  private readonly sax: SaxesParser;
  private readonly stack: string[] = [];
  private nextIndex = 0;
  /** The HOSO being read; `depth` is the element whose end closes it (the HOSO, or an orphan FILEHOSO's parent). */
  private hoso: { builder: VisitBuilder; depth: number } | undefined;
  private entry: Entry | undefined;
  /** A plain table's visit: the current run of records with the same MA_LK. */
  private plain: { builder: VisitBuilder; key: string } | undefined;
  private readonly collector = new RecordCollector((record) => this.outerRecord(record));
  private headerField: keyof typeof HEADER_FIELDS | undefined;

  constructor(
    private readonly header: Xml130FileHeader,
    private readonly options: Xml130ReaderOptions,
  ) {
    this.sax = new SaxesParser({ fileName: options.fileName });
    this.sax.on('opentag', (tag) => this.open(localName(tag.name)));
    this.sax.on('text', (text) => this.text(text));
    this.sax.on('cdata', (text) => this.text(text));
    this.sax.on('closetag', () => this.close());
    this.sax.on('error', (error) => {
      throw this.streamError(error);
    });
  }

  write(chunk: string): void {
    this.sax.write(chunk);
  }

  end(): void {
    this.sax.close();
    this.finishPlain();
    if (this.hoso !== undefined) this.finishHoso();
  }

  private streamError(error: Error): Xml130StreamError {
    const { line, column, position } = this.sax;
    const detail = error.message.replace(/^.*?\d+:\d+: /, '');
    const where = `${this.options.fileName ?? 'input'} line ${line}, column ${column}`;
    const visit = this.hoso?.builder.index ?? this.plain?.builder.index;
    return new Xml130StreamError(
      `not XML the reader can continue through (${where}): ${detail}`,
      line,
      column,
      position,
      visit,
      { cause: error },
    );
  }

  private open(name: string): void {
    this.stack.push(name);
    const depth = this.stack.length;
    this.header.root ??= name;
    const entry = this.entry;
    if (entry !== undefined) {
      if (entry.capture === 'NOIDUNGFILE') {
        entry.inline ??= this.inlineTable();
        entry.inline.root ??= name;
        entry.inline.collector.open(name);
      } else if (depth === entry.depth + 1 && (name === 'LOAIHOSO' || name === 'NOIDUNGFILE')) {
        entry.capture = name;
        entry.contentDepth = depth;
      }
      return;
    }
    if (name === 'HOSO') {
      this.finishPlain();
      if (this.hoso !== undefined) this.finishHoso();
      this.header.form ??= 'wrapper';
      this.hoso = { builder: new VisitBuilder(this.nextIndex++), depth };
      return;
    }
    if (name === 'FILEHOSO') {
      if (this.hoso === undefined) {
        // No HOSO level: FILEHOSO siblings under one parent are one visit.
        this.finishPlain();
        this.header.form ??= 'wrapper';
        this.hoso = { builder: new VisitBuilder(this.nextIndex++), depth: depth - 1 };
      }
      this.entry = { depth, loaiHoSo: '', parts: [], capture: undefined, contentDepth: 0, inline: undefined };
      return;
    }
    if (this.hoso === undefined && name in HEADER_FIELDS) this.headerField = name as keyof typeof HEADER_FIELDS;
    this.collector.open(name);
  }

  private text(text: string): void {
    const entry = this.entry;
    if (entry !== undefined) {
      if (entry.capture === 'LOAIHOSO') entry.loaiHoSo += text;
      else if (entry.capture === 'NOIDUNGFILE') {
        if (entry.inline !== undefined) entry.inline.collector.text(text);
        else entry.parts.push(text);
      }
      return;
    }
    if (this.headerField !== undefined) {
      const key = HEADER_FIELDS[this.headerField];
      this.header[key] = (this.header[key] ?? '') + text;
    }
    this.collector.text(text);
  }

  private close(): void {
    const depth = this.stack.length;
    this.stack.pop();
    const entry = this.entry;
    if (entry !== undefined) {
      if (depth === entry.depth) {
        this.entry = undefined;
        this.readEntry(entry);
      } else if (depth === entry.contentDepth) {
        entry.capture = undefined;
      } else if (entry.capture === 'NOIDUNGFILE') {
        entry.inline?.collector.close();
      }
      return;
    }
    this.headerField = undefined;
    this.collector.close();
    if (this.hoso !== undefined && depth === this.hoso.depth) this.finishHoso();
  }

  private inlineTable(): NonNullable<Entry['inline']> {
    const records: CollectedRecord[] = [];
    return { records, collector: new RecordCollector((record) => records.push(record)), root: undefined };
  }

  /** A record outside any FILEHOSO: part of the open HOSO, or of a plain table's visit. */
  private outerRecord(record: CollectedRecord): void {
    if (this.hoso !== undefined) {
      this.hoso.builder.addRecord(record);
      return;
    }
    this.header.form ??= 'plain';
    const key = record.fields['MA_LK']?.trim() ?? '';
    const secondXml1 = record.table === 'xml1' && this.plain?.builder.hasXml1() === true;
    if (this.plain !== undefined && (this.plain.key !== key || secondXml1)) this.finishPlain();
    this.plain ??= { builder: new VisitBuilder(this.nextIndex++), key };
    this.plain.builder.addRecord(record);
  }

  private finishPlain(): void {
    if (this.plain === undefined) return;
    this.ready.push(this.plain.builder.finish(this.options.requireTables ?? []));
    this.plain = undefined;
  }

  private finishHoso(): void {
    if (this.hoso === undefined) return;
    this.ready.push(this.hoso.builder.finish(this.options.requireTables ?? []));
    this.hoso = undefined;
  }

  /** One FILEHOSO: which table, its content decoded and read, into the visit. */
  private readEntry(entry: Entry): void {
    const builder = this.hoso?.builder;
    if (builder === undefined) return;
    const k = builder.fileCount++;
    const loai = entry.loaiHoSo.trim().toUpperCase();
    const declared = tableKeyForLoaiHoSo(loai);
    const inline = entry.inline;
    if (declared === undefined && isKnownLoaiHoSo(loai)) {
      // A table this reader does not read: counted, never parsed.
      const size = inline !== undefined ? { ok: true as const, bytes: 0 } : base64DecodedLength(entry.parts);
      if (size.ok) builder.addOther({ loaiHoSo: loai, bytes: size.bytes });
      else builder.issue(builder.at('files', k), 'base64', `${loai}: ${size.message}`, 'warning');
      return;
    }
    const at = declared === undefined ? builder.at('files', k) : builder.at(declared);
    const label = loai === '' ? `FILEHOSO ${k}` : loai;
    let root: string | undefined;
    let records: CollectedRecord[];
    let bytes = 0;
    if (inline !== undefined) {
      root = inline.root;
      records = inline.records;
    } else {
      const decoded = decodeBase64Strict(entry.parts);
      if (!decoded.ok) {
        builder.issue(at, 'base64', `${label}: NOIDUNGFILE is not valid base64 (${decoded.message})`);
        return;
      }
      bytes = decoded.bytes.length;
      const table = readTable(new TextDecoder('utf-8').decode(decoded.bytes), declared);
      if ('error' in table) {
        builder.issue(at, 'xml', `${label}: the table is not well-formed XML (${table.error})`);
        return;
      }
      root = table.root;
      records = table.records;
    }
    const rootLoai = root === undefined ? undefined : loaiHoSoForElement(root);
    const effective = declared ?? (rootLoai === undefined ? undefined : tableKeyForLoaiHoSo(rootLoai));
    if (declared !== undefined && rootLoai !== undefined && rootLoai !== loai) {
      builder.issue(at, 'table-mismatch', `LOAIHOSO is ${loai} but the content is a ${rootLoai} table (${root})`);
      return;
    }
    if (effective === undefined) {
      if (rootLoai !== undefined) {
        builder.addOther({ loaiHoSo: rootLoai, bytes });
      } else {
        builder.issue(at, 'unknown-table', `${label}: unknown table (root ${root ?? 'none'})`, 'warning');
        builder.addOther({ loaiHoSo: loai === '' ? (root ?? '') : loai, bytes });
      }
      return;
    }
    const foreign = records.find((record) => record.table !== effective);
    if (foreign !== undefined) {
      builder.issue(at, 'table-mismatch', `a ${foreign.table.toUpperCase()} record inside ${effective.toUpperCase()}`);
      return;
    }
    if (effective === 'xml1' && records.length === 0) {
      builder.issue(at, 'table-structure', 'XML1 without a TONG_HOP record');
      return;
    }
    for (const record of records) builder.addRecord(record);
  }
}

/**
 * One table's XML, parsed with its own saxes parser; stops at the root when the root names a table
 * this reader does not extract (nothing to read), and at the first well-formedness error.
 */
function readTable(
  xml: string,
  declared: Xml130TableKey | undefined,
): { root: string | undefined; records: CollectedRecord[] } | { error: string } {
  const records: CollectedRecord[] = [];
  const collector = new RecordCollector((record) => records.push(record));
  const sax = new SaxesParser();
  let root: string | undefined;
  let failure: string | undefined;
  sax.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (root === undefined) {
      root = name;
      const loai = loaiHoSoForElement(name);
      if (declared === undefined && loai !== undefined && tableKeyForLoaiHoSo(loai) === undefined) {
        throw new TableAbort();
      }
    }
    collector.open(name);
  });
  sax.on('text', (text) => collector.text(text));
  sax.on('cdata', (text) => collector.text(text));
  sax.on('closetag', () => collector.close());
  sax.on('error', (error) => {
    failure = error.message;
    throw new TableAbort();
  });
  try {
    sax.write(xml).close();
  } catch (error) {
    if (!(error instanceof TableAbort)) throw error;
    if (failure !== undefined) return { error: failure };
  }
  return { root, records };
}

/**
 * Reads an XML 130 file as a stream of visits. Iterate it once; `header` fills in as the file is read.
 * Memory holds one FILEHOSO entry and the visits of the current input chunk, never the file.
 */
export class Xml130Reader implements AsyncIterable<Xml130Visit> {
  readonly header: Xml130FileHeader = { form: undefined, root: undefined };
  private started = false;

  constructor(
    private readonly input: Xml130Input,
    private readonly options: Xml130ReaderOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Xml130Visit, void, undefined> {
    if (this.started) throw new Error('an Xml130Reader is read once');
    this.started = true;
    const parser = new FileParser(this.header, this.options);
    const decoder = new TextDecoder('utf-8');
    const input = this.input;
    const chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> =
      typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
    for await (const chunk of chunks) {
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
        throw new TypeError(`XML 130 input chunks are bytes or strings, not ${typeof chunk}`);
      }
      // Large chunks (a whole file in memory) are fed in slices, so the visits they hold are handed
      // out as they complete rather than all queued at once.
      for (let start = 0; start < chunk.length; start += SLICE) {
        const end = Math.min(start + SLICE, chunk.length);
        parser.write(
          typeof chunk === 'string' ? chunk.slice(start, end) : decoder.decode(chunk.subarray(start, end), { stream: true }),
        );
        yield* drain(parser.ready);
      }
    }
    parser.write(decoder.decode());
    parser.end();
    yield* drain(parser.ready);
  }
}

/** Characters or bytes given to the parser at a time. */
const SLICE = 64 * 1024;

function* drain(queue: Xml130Visit[]): Generator<Xml130Visit> {
  while (queue.length > 0) yield queue.shift() as Xml130Visit;
}

export function readXml130(input: Xml130Input, options?: Xml130ReaderOptions): Xml130Reader {
  return new Xml130Reader(input, options);
}
