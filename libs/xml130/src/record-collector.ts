import { tableKeyForRecordElement, type Xml130TableKey } from './tables';

/** One record element (TONG_HOP, CHI_TIET_DVKT, CHI_TIET_CLS) with its fields as written. */
export interface CollectedRecord {
  readonly table: Xml130TableKey;
  readonly fields: Record<string, string>;
  /** Fields that appeared more than once (the first value is kept). */
  readonly duplicates: readonly string[];
  /** Fields that contained elements (their text is flattened into the field). */
  readonly nested: readonly string[];
}

/**
 * Turns element events into records wherever a record element appears — under any wrapper, or as
 * the root — so missing or extra wrapper levels and a bare `DSACH_…` root read the same. Text inside
 * a field is joined across text and CDATA events; empty elements give an empty string.
 */
export class RecordCollector {
  private record:
    | { table: Xml130TableKey; fields: Record<string, string>; duplicates: string[]; nested: string[] }
    | undefined;
  /** 1 inside the record element, 2 inside one of its fields, more inside an element in a field. */
  private depth = 0;
  private field = '';
  private buffer = '';

  constructor(private readonly onRecord: (record: CollectedRecord) => void) {}

  open(name: string): void {
    if (this.record === undefined) {
      const table = tableKeyForRecordElement(name);
      if (table === undefined) return;
      this.record = { table, fields: Object.create(null) as Record<string, string>, duplicates: [], nested: [] };
      this.depth = 1;
      return;
    }
    this.depth += 1;
    if (this.depth === 2) {
      this.field = name;
      this.buffer = '';
    } else if (this.depth === 3 && !this.record.nested.includes(this.field)) {
      this.record.nested.push(this.field);
    }
  }

  text(text: string): void {
    if (this.record !== undefined && this.depth >= 2) this.buffer += text;
  }

  close(): void {
    const record = this.record;
    if (record === undefined) return;
    if (this.depth === 2) {
      if (this.field in record.fields) {
        if (!record.duplicates.includes(this.field)) record.duplicates.push(this.field);
      } else {
        record.fields[this.field] = this.buffer;
      }
    }
    this.depth -= 1;
    if (this.depth === 0) {
      this.record = undefined;
      this.onRecord(record);
    }
  }
}
