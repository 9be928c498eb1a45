/**
 * FHIR R4 resource types from the maintained DefinitelyTyped package (@types/fhir), re-exported as one
 * namespace so consumers write `fhir4.Patient` without each tsconfig listing the package's globals.
 * Types only: nothing of this reaches the bundle.
 */
export type * as fhir4 from 'fhir/r4';

/** The media type of every FHIR JSON response (R4 §3.1.0.1.6). */
export const FHIR_CONTENT_TYPE = 'application/fhir+json';
