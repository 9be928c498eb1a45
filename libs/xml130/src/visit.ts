import {
  XML1_FIELDS,
  XML3_FIELDS,
  XML4_FIELDS,
  parseFields,
  xml1CrossFieldIssues,
  xml3Extras,
  type Xml1Record,
  type Xml3Row,
  type Xml4Row,
} from './fields';
import { hasErrors, visitPointer, type Xml130Issue, type Xml130Rule, type Xml130Severity } from './issues';
import type { CollectedRecord } from './record-collector';
import type { Xml130TableKey } from './tables';

/** A table the reader recognised but does not read (XML2, XML5, …): its LOAIHOSO and decoded size. */
export interface Xml130OtherTable {
  readonly loaiHoSo: string;
  readonly bytes: number;
}

export interface Xml130Tables {
  readonly xml1?: Xml1Record;
  readonly xml3: readonly Xml3Row[];
  readonly xml4: readonly Xml4Row[];
  readonly other: readonly Xml130OtherTable[];
}

/** One visit (HOSO, keyed by MA_LK) with every issue found in it. */
export interface Xml130Visit {
  /** 0-based position of the visit in the file (HOSO order; run order in a plain table). */
  readonly index: number;
  /** XML1's MA_LK, else the first row's. */
  readonly maLk: string | undefined;
  readonly tables: Xml130Tables;
  /** Every issue of the visit, errors and warnings, in document order (checks across tables last). */
  readonly errors: readonly Xml130Issue[];
  /** No issue of severity `error`: the caller may accept the visit. */
  readonly valid: boolean;
}

/** Collects one visit's tables and issues as the reader meets them. */
export class VisitBuilder {
  private xml1: Xml1Record | undefined;
  private readonly xml3: Xml3Row[] = [];
  private readonly xml4: Xml4Row[] = [];
  private readonly other: Xml130OtherTable[] = [];
  private readonly issues: Xml130Issue[] = [];
  /** FILEHOSO entries seen (the `files/<k>` pointer of an unidentified entry). */
  fileCount = 0;

  constructor(readonly index: number) {}

  at(...parts: readonly (string | number)[]): string {
    return visitPointer(this.index, ...parts);
  }

  issue(pointer: string, rule: Xml130Rule, message: string, severity: Xml130Severity = 'error'): void {
    this.issues.push({ pointer, rule, message, severity });
  }

  addOther(table: Xml130OtherTable): void {
    this.other.push(table);
  }

  hasXml1(): boolean {
    return this.xml1 !== undefined;
  }

  addRecord(record: CollectedRecord): void {
    const { table, fields } = record;
    if (table === 'xml1' && this.xml1 !== undefined) {
      this.issue(this.at('xml1'), 'duplicate-table', 'a second XML1 (TONG_HOP) in one visit; the first is kept');
      return;
    }
    const rowIndex = table === 'xml3' ? this.xml3.length : table === 'xml4' ? this.xml4.length : undefined;
    const at = (field: string): string =>
      rowIndex === undefined ? this.at(table, field) : this.at(table, rowIndex, field);
    for (const field of record.duplicates) {
      this.issue(at(field), 'duplicate-field', `${field} appears more than once; the first value is kept`);
    }
    for (const field of record.nested) {
      this.issue(at(field), 'unexpected-element', `${field} contains elements; their text is kept`, 'warning');
    }
    switch (table) {
      case 'xml1': {
        const { parsed, issues } = parseFields(fields, XML1_FIELDS, at);
        const xml1 = { raw: fields, ...parsed } as Xml1Record;
        this.issues.push(...issues, ...xml1CrossFieldIssues(xml1, at));
        this.xml1 = xml1;
        break;
      }
      case 'xml3': {
        const { parsed, issues } = parseFields(fields, XML3_FIELDS, at);
        const extras = xml3Extras(fields, parsed, at);
        this.issues.push(...issues, ...extras.issues);
        this.xml3.push({
          index: this.xml3.length,
          raw: fields,
          ...parsed,
          ...(extras.price === undefined ? {} : { price: extras.price }),
        } as Xml3Row);
        break;
      }
      case 'xml4': {
        const { parsed, issues } = parseFields(fields, XML4_FIELDS, at);
        this.issues.push(...issues);
        this.xml4.push({ index: this.xml4.length, raw: fields, ...parsed } as Xml4Row);
        break;
      }
    }
  }

  /** Checks across tables, then the visit as the caller sees it. */
  finish(requireTables: readonly Xml130TableKey[]): Xml130Visit {
    const maLk = this.xml1?.maLk ?? this.xml3[0]?.maLk ?? this.xml4[0]?.maLk;
    if (maLk !== undefined) {
      for (const [table, rows] of [
        ['xml3', this.xml3],
        ['xml4', this.xml4],
      ] as const) {
        for (const row of rows) {
          if (row.maLk !== undefined && row.maLk !== maLk) {
            this.issue(
              this.at(table, row.index, 'MA_LK'),
              'malk-mismatch',
              `MA_LK "${row.maLk}" is not the visit's "${maLk}"`,
            );
          }
        }
      }
    }
    for (const table of requireTables) {
      const present = table === 'xml1' ? this.xml1 !== undefined : this[table].length > 0;
      if (!present) this.issue(this.at(table), 'required-table', `the visit has no ${table.toUpperCase()}`);
    }
    const tables: Xml130Tables = {
      ...(this.xml1 === undefined ? {} : { xml1: this.xml1 }),
      xml3: this.xml3,
      xml4: this.xml4,
      other: this.other,
    };
    return { index: this.index, maLk, tables, errors: this.issues, valid: !hasErrors(this.issues) };
  }
}
