// Reading
export {
  readXml130,
  Xml130Reader,
  Xml130StreamError,
  type Xml130FileHeader,
  type Xml130Input,
  type Xml130ReaderOptions,
} from './reader';
export type { Xml130OtherTable, Xml130Tables, Xml130Visit } from './visit';
export {
  XML1_FIELDS,
  XML3_FIELDS,
  XML4_FIELDS,
  type FieldSpec,
  type FieldSpecs,
  type FieldType,
  type FieldTypes,
  type ParsedFields,
  type RawFields,
  type Xml130BirthDate,
  type Xml130PersonalId,
  type Xml130Sex,
  type Xml1Record,
  type Xml3Price,
  type Xml3Row,
  type Xml4Row,
} from './fields';
export {
  hasErrors,
  issuesAt,
  pointer,
  visitPointer,
  type Xml130Issue,
  type Xml130Rule,
  type Xml130Severity,
} from './issues';
export { EXTRACTED_TABLES, isKnownLoaiHoSo, tableKeyForLoaiHoSo, type Xml130TableKey } from './tables';
// Values, for other ingest paths that meet the same spellings
export {
  parseDecimal,
  parseInteger,
  parseResultValue,
  splitList,
  type Comparator,
  type NumberRule,
  type ResultValue,
} from './values';
export { base64DecodedLength, decodeBase64Strict, type Base64Length, type Base64Result } from './base64';
// Writing
export {
  buildXml130File,
  buildXml130Table,
  xml130Chunks,
  type BuildXml130Options,
  type Xml130ExtraFile,
  type Xml130FieldValue,
  type Xml130FieldsInput,
  type Xml130VisitInput,
} from './writer';
