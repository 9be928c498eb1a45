/**
 * Every way an identity-service use case refuses, as a code. Each transport maps these once, with an
 * exhaustive switch: HTTP → problem+json (adapters/http), FHIR → OperationOutcome (via the same
 * mapping), a consumer → its DLQ reason (the code itself).
 */
export enum IdentityErrorCode {
  Validation = 'validation',
  /** The body names a facility other than the one the caller speaks for. */
  FacilityMismatch = 'facility-mismatch',
  /** The caller speaks for no facility (a person, or a service not acting for one). */
  FacilityRequired = 'facility-required',
  IdempotencyConflict = 'idempotency-conflict',
  PatientNotFound = 'patient-not-found',
  ReviewItemNotFound = 'review-item-not-found',
  ReviewItemClosed = 'review-item-closed',
  MergeNotFound = 'merge-not-found',
  MergeConflict = 'merge-conflict',
  CrossFacilityForbidden = 'cross-facility-forbidden',
  FacilityNotFound = 'facility-not-found',
}

/**
 * A broken input rule. `pointer` is a JSON Pointer into the request body in the URI-fragment form
 * RFC 9457's examples use (`#/identifiers/0/value`) — the one format of every error and warning this
 * service returns; `field` names a query or path parameter instead.
 */
export type FieldViolation =
  | { readonly pointer: string; readonly field?: never; readonly rule: string; readonly message: string }
  | { readonly field: string; readonly pointer?: never; readonly rule: string; readonly message: string };

/** RFC 6901 pointer as a URI fragment: `pointerTo(['identifiers', 0, 'value'])` → `#/identifiers/0/value`. */
export function pointerTo(path: readonly PropertyKey[]): string {
  return `#${path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
}

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }
}

/** One invalid-input error. */
export function invalidInput(message: string, violations: readonly FieldViolation[]): IdentityError {
  return new IdentityError(IdentityErrorCode.Validation, message, violations);
}
