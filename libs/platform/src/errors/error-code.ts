/**
 * Every error a service reports over HTTP has one of these codes. The code is the last segment of the
 * problem `type` URI, which clients may switch on: never rename one (add a new code instead).
 */
export enum ErrorCode {
  BadRequest = 'bad-request',
  ValidationFailed = 'validation-error',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  InsufficientScope = 'insufficient-scope',
  FacilityMismatch = 'facility-mismatch',
  NotFound = 'not-found',
  MethodNotAllowed = 'method-not-allowed',
  Conflict = 'conflict',
  IdempotencyKeyReused = 'idempotency-key-reused',
  RequestTimeout = 'request-timeout',
  PayloadTooLarge = 'payload-too-large',
  UriTooLong = 'uri-too-long',
  UnsupportedMediaType = 'unsupported-media-type',
  RateLimited = 'rate-limited',
  RequestHeaderFieldsTooLarge = 'request-header-fields-too-large',
  ServiceUnavailable = 'service-unavailable',
  Internal = 'internal-error',
}

export const PROBLEM_TYPE_BASE = 'https://lienthong.vn/problems/';

export function problemType(code: ErrorCode): string {
  return `${PROBLEM_TYPE_BASE}${code}`;
}

export interface ErrorCodeInfo {
  readonly status: number;
  readonly title: string;
}

/** The one place a code becomes an HTTP status. Exhaustive: a new code does not compile until mapped. */
export function errorCodeInfo(code: ErrorCode): ErrorCodeInfo {
  switch (code) {
    case ErrorCode.BadRequest:
      return { status: 400, title: 'Bad request' };
    case ErrorCode.ValidationFailed:
      return { status: 422, title: 'Validation failed' };
    case ErrorCode.Unauthorized:
      return { status: 401, title: 'Authentication required' };
    case ErrorCode.Forbidden:
      return { status: 403, title: 'Forbidden' };
    case ErrorCode.InsufficientScope:
      return { status: 403, title: 'Insufficient scope' };
    case ErrorCode.FacilityMismatch:
      return { status: 403, title: 'Facility does not match the token' };
    case ErrorCode.NotFound:
      return { status: 404, title: 'Not found' };
    case ErrorCode.MethodNotAllowed:
      return { status: 405, title: 'Method not allowed' };
    case ErrorCode.Conflict:
      return { status: 409, title: 'Conflict' };
    case ErrorCode.IdempotencyKeyReused:
      return { status: 422, title: 'Idempotency key reused with a different request' };
    case ErrorCode.RequestTimeout:
      return { status: 408, title: 'Request timeout' };
    case ErrorCode.PayloadTooLarge:
      return { status: 413, title: 'Payload too large' };
    case ErrorCode.UriTooLong:
      return { status: 414, title: 'URI too long' };
    case ErrorCode.UnsupportedMediaType:
      return { status: 415, title: 'Unsupported media type' };
    case ErrorCode.RateLimited:
      return { status: 429, title: 'Too many requests' };
    case ErrorCode.RequestHeaderFieldsTooLarge:
      return { status: 431, title: 'Request header fields too large' };
    case ErrorCode.ServiceUnavailable:
      return { status: 503, title: 'Service unavailable' };
    case ErrorCode.Internal:
      return { status: 500, title: 'Internal server error' };
  }
}

/** For errors raised outside our code (Nest/Fastify HttpExceptions) that only carry a status. */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.BadRequest;
    case 401:
      return ErrorCode.Unauthorized;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 405:
      return ErrorCode.MethodNotAllowed;
    case 408:
      return ErrorCode.RequestTimeout;
    case 409:
      return ErrorCode.Conflict;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 414:
      return ErrorCode.UriTooLong;
    case 415:
      return ErrorCode.UnsupportedMediaType;
    case 422:
      return ErrorCode.ValidationFailed;
    case 429:
      return ErrorCode.RateLimited;
    case 431:
      return ErrorCode.RequestHeaderFieldsTooLarge;
    case 503:
      return ErrorCode.ServiceUnavailable;
    default:
      return status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest;
  }
}
