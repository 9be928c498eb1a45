/**
 * Every way a lab-result use case refuses, as a code. Each transport maps these once, with an
 * exhaustive switch: HTTP → problem+json (adapters/http), a consumer → its DLQ reason (the code).
 */
export enum LabResultErrorCode {
  Validation = 'validation',
  /** The caller speaks for no facility (a person, or a service not acting for one). */
  FacilityRequired = 'facility-required',
}

/** A broken input rule; `pointer` is a JSON Pointer into the request body (`#/note`). */
export interface FieldViolation {
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
}

export class LabResultError extends Error {
  override readonly name = 'LabResultError';

  constructor(
    readonly code: LabResultErrorCode,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }
}
