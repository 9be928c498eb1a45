import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';

/**
 * Errors that say "the database cannot serve us right now", not "this request is wrong". They are
 * answered 503 with Retry-After, so clients and load balancers back off and retry, instead of 500
 * (which says our code is broken and is not worth retrying).
 */

/** What a client is told to wait before retrying: about one connect timeout. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket-level failures: nothing listens, the peer went away, the name does not resolve. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);

/**
 * Postgres SQLSTATEs for "not now": connection exceptions (class 08), insufficient resources (53:
 * too many connections, out of memory, disk full), the server shutting down or starting (57P01–03),
 * a statement cancelled by statement_timeout (57014) and a transaction ended by
 * idle_in_transaction_session_timeout (25P03).
 */
function unavailableSqlState(code: string): boolean {
  return /^(08|53)[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '57014', '25P03'].includes(code);
}

/**
 * node-postgres and pg-pool raise these as plain Errors without a code: a dropped connection, the
 * client's own query_timeout, the pool's connect / acquire timeout, a client already broken.
 */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
  /is not queryable$/,
  /^Client was closed/,
];

/**
 * True when `error` (or anything it wraps: TypeORM's `driverError`, `cause`, an AggregateError's
 * `errors` — Node reports a refused dual-stack connect as one) is the database being unreachable,
 * silent, overloaded or restarting.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): boolean => {
    if (depth > 5 || value === null || typeof value !== 'object' || seen.has(value)) return false;
    seen.add(value);
    const { code, message, driverError, cause, errors } = value as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || unavailableSqlState(code))) return true;
    // A SQLSTATE of another class (a constraint, a syntax error) is the statement's fault: not ours to hide.
    const hasSqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
    if (!hasSqlState && typeof message === 'string' && DRIVER_MESSAGES.some((m) => m.test(message))) return true;
    if (visit(driverError, depth + 1) || visit(cause, depth + 1)) return true;
    return Array.isArray(errors) && errors.some((e) => visit(e, depth + 1));
  };
  return visit(error, 0);
}

/** The 503 a request gets while the database is unavailable (no internals: hosts and SQL stay in the log). */
export function databaseUnavailableError(cause?: unknown): DomainError {
  return new DomainError(ErrorCode.ServiceUnavailable, {
    detail: 'The database is not answering; retry later.',
    headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
    extensions: { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
    cause,
  });
}
