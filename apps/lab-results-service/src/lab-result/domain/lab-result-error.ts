/**
 * Every way a lab-result use case refuses, as a code. Each transport maps these once, with an
 * exhaustive switch: HTTP → problem+json (adapters/http), a consumer → its DLQ reason (the code).
 */
export enum LabResultErrorCode {
  Validation = 'validation',
  /** The caller speaks for no facility (a person, or a service not acting for one). */
  FacilityRequired = 'facility-required',
  /** The file's facility (XML1 MA_CSKCB) is not the one the caller speaks for. */
  FacilityMismatch = 'facility-mismatch',
  /** The file cannot be read on (not XML, or too large); per-visit problems are outcomes, not errors. */
  UnreadableFile = 'unreadable-file',
  /** The upload is larger than LAB_MAX_UPLOAD_BYTES. */
  PayloadTooLarge = 'payload-too-large',
  NotFound = 'not-found',
  Forbidden = 'forbidden',
  /** A referral check by a facility without its own link to the patient (it registers the patient first, or checks for treatment). */
  NoCareRelationship = 'no-care-relationship',
  Conflict = 'conflict',
  /** The patient could not be resolved (identity does not know the CCCD / local id). */
  UnknownPatient = 'unknown-patient',
  /** identity-service (or consent-service) could not be reached in time. */
  DependencyUnavailable = 'dependency-unavailable',
  /** A merge or unmerge the consumer cannot apply. */
  InvalidMerge = 'invalid-merge',
}

/** A broken input rule; `pointer` is a JSON Pointer into the request body (`#/visits/3/xml4/2/NGAY_KQ`). */
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
    /** Coded, non-identifying facts for the client (where a file stopped being readable, what was stored before). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
