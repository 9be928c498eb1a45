// The Nest side of @lienthong/fhir: kept apart so framework-free consumers never load @nestjs/*.
export { OperationOutcomeFilter, ERROR_CODE_SYSTEM, type ErrorTranslator } from './operation-outcome.filter';
export { RequestFhirUrls } from './fhir-urls.decorator';
