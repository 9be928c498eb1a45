/**
 * Every way a patient use case can refuse, as a code. Each transport maps these once, with an
 * exhaustive switch: HTTP → problem+json, FHIR → OperationOutcome.
 */
export enum PatientErrorCode {
  Validation = 'validation',
  FacilityMismatch = 'facility-mismatch',
  NoFacilityInToken = 'no-facility-in-token',
  IdempotencyConflict = 'idempotency-conflict',
  PatientNotFound = 'patient-not-found',
  ReviewItemNotFound = 'review-item-not-found',
  ReviewItemClosed = 'review-item-closed',
  MergeNotFound = 'merge-not-found',
  MergeConflict = 'merge-conflict',
  CrossFacilityForbidden = 'cross-facility-forbidden',
}

/** A broken input rule, pointing at the JSON field (RFC 6901 pointer into the request body). */
export interface FieldViolation {
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
}

export class PatientError extends Error {
  override readonly name = 'PatientError';
  constructor(
    readonly code: PatientErrorCode,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }
}
