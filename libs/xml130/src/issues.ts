/**
 * What the reader reports about a visit. Every issue points at the visit, table, row and field with
 * the one JSON-pointer format of the project (`#/visits/3/xml4/2/NGAY_KQ`), so a service can put the
 * list straight into a problem+json `errors` member.
 */

/**
 * `error`: the visit is invalid (`visit.valid === false`); the caller rejects that visit and keeps the
 * file's others. `warning`: a field or row is flagged, the visit stays valid (see README, "Strictness").
 */
export type Xml130Severity = 'error' | 'warning';

export type Xml130Rule =
  // structure of a FILEHOSO entry or table
  | 'base64' // NOIDUNGFILE is not valid base64
  | 'xml' // the table's XML is not well-formed
  | 'encoding' // bytes that are not UTF-8 (U+FFFD after decoding)
  | 'unknown-table' // LOAIHOSO and content name no table the reader knows
  | 'table-mismatch' // LOAIHOSO says one table, the content is another
  | 'table-structure' // a table without its record element (XML1 without TONG_HOP)
  | 'duplicate-table' // a second XML1 in one visit
  | 'required-table' // a table the caller requires (`requireTables`) is missing
  | 'unexpected-element' // an element nested inside a field
  | 'duplicate-field' // the same field twice in one record
  // fields
  | 'required'
  | 'max-length'
  | 'max-items'
  | 'format'
  | 'impossible-date'
  | 'number'
  | 'code' // a value outside its code list (GIOI_TINH 1/2/3)
  | 'facility-code' // MA_CSKCB-shaped fields
  | 'cccd-province-code' // a 12-digit personal ID whose birth-registration code does not exist
  | 'cccd-demographics' // digit 4 / digits 5–6 disagree with GIOI_TINH / NGAY_SINH (soft)
  | 'bhyt' // MA_THE_BHYT entry that is not a card number
  | 'malk-mismatch'; // a row of XML3/XML4 whose MA_LK is not the visit's

export interface Xml130Issue {
  /** `#/visits/<i>[/<table>[/<row>][/<FIELD>]]` or `#/visits/<i>/files/<k>` for an unidentified entry. */
  readonly pointer: string;
  readonly rule: Xml130Rule;
  readonly message: string;
  readonly severity: Xml130Severity;
}

/** RFC 6901 escaping of one reference token (field names never need it; vendor names might). */
function token(part: string | number): string {
  return String(part).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(...parts: readonly (string | number)[]): string {
  return `#/${parts.map(token).join('/')}`;
}

export function visitPointer(visit: number, ...rest: readonly (string | number)[]): string {
  return pointer('visits', visit, ...rest);
}

export function hasErrors(issues: readonly Xml130Issue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

/** Issues whose pointer is `prefix` or lies below it (`issuesAt(v.errors, '#/visits/0/xml4/2')`). */
export function issuesAt(issues: readonly Xml130Issue[], prefix: string): Xml130Issue[] {
  return issues.filter((issue) => issue.pointer === prefix || issue.pointer.startsWith(`${prefix}/`));
}
