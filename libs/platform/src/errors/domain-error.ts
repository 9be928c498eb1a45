import { ErrorCode, errorCodeInfo } from './error-code';

/** One entry of a validation problem's `errors` list (DESIGN.md "API conventions"). */
export interface ValidationIssue {
  /** JSON Pointer into the request body, RFC 9457 style: `#/identifiers/0/value`. */
  readonly pointer?: string;
  /** A query parameter, path parameter or header name, when the problem is not in the body. */
  readonly field?: string;
  /** Machine-readable rule that failed: `invalid_type`, `too_small`, `pattern`… */
  readonly rule: string;
  readonly message: string;
}

export interface DomainErrorOptions {
  /** Shown to the client: write it for them, never include identifiers or internals. */
  readonly detail?: string;
  readonly errors?: readonly ValidationIssue[];
  /** Extra response headers (WWW-Authenticate, Retry-After…). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra problem members, e.g. `{ retryAfterSeconds: 5 }`. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The base of every error a use case throws on purpose. Transports map it once: HTTP to
 * problem+json (ProblemFilter), Kafka consumers to a DLQ reason, FHIR to an OperationOutcome.
 */
export class DomainError extends Error {
  readonly detail: string | undefined;
  readonly errors: readonly ValidationIssue[] | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(readonly code: ErrorCode, options: DomainErrorOptions = {}) {
    super(options.detail ?? errorCodeInfo(code).title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  get status(): number {
    return errorCodeInfo(this.code).status;
  }
}

export class ValidationError extends DomainError {
  constructor(errors: readonly ValidationIssue[], detail = 'The request is not valid; see errors.') {
    super(ErrorCode.ValidationFailed, { errors, detail });
    this.name = 'ValidationError';
  }
}
