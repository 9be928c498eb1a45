/**
 * Every way a consent use case refuses, as a code. Each transport maps these once, with an
 * exhaustive switch: HTTP → problem+json and FHIR OperationOutcome (adapters/http), a consumer →
 * its DLQ reason (the code).
 */
export enum ConsentErrorCode {
  Validation = 'validation',
  /** The caller speaks for no facility (a person, or a service not acting for one). */
  FacilityRequired = 'facility-required',
  /** The patient is not (yet) known from identity-service's events. */
  UnknownPatient = 'unknown-patient',
  NotFound = 'not-found',
  /** The consent is withdrawn, or the change asked for does not fit its current version. */
  Conflict = 'conflict',
  /** A facility asked about another facility, or read something it may not. */
  Forbidden = 'forbidden',
  /** A merge or unmerge the consumer cannot apply (same patient twice, unknown merge). */
  InvalidMerge = 'invalid-merge',
  /** The Idempotency-Key was used before with a different body. */
  IdempotencyMismatch = 'idempotency-mismatch',
}

/** A broken input rule; `pointer` is a JSON Pointer into the request body (`#/scope/validUntil`). */
export interface FieldViolation {
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
}

export class ConsentError extends Error {
  override readonly name = 'ConsentError';

  constructor(
    readonly code: ConsentErrorCode,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }
}

export function invalid(violations: readonly FieldViolation[], message = 'The consent is not valid.'): ConsentError {
  return new ConsentError(ConsentErrorCode.Validation, message, violations);
}
