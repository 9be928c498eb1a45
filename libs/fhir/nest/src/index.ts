// The Nest side of FHIR: its own project (kind:infra) so @lienthong/fhir stays framework-free.
export { OperationOutcomeFilter, ERROR_CODE_SYSTEM, type ErrorTranslator } from './operation-outcome.filter';
export { RequestFhirUrls } from './fhir-urls.decorator';
export { acceptFhirJson, fhirFastify, FhirJsonBodies } from './fhir-json';
