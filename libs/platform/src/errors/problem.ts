import { HttpException } from '@nestjs/common';
import { DomainError, type ValidationIssue } from './domain-error';
import { ErrorCode, errorCodeForStatus, errorCodeInfo, problemType } from './error-code';
import { databaseUnavailableError, isDatabaseUnavailable } from './infrastructure-errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details, plus `code` and `requestId` extension members. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly code: ErrorCode;
  readonly requestId?: string;
  readonly errors?: readonly ValidationIssue[];
  readonly [extension: string]: unknown;
}

export interface MappedProblem {
  readonly problem: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;
  /** True when the error was not one we raised on purpose: log it with its stack. */
  readonly unexpected: boolean;
}

export interface ProblemContext {
  readonly instance?: string;
  readonly requestId?: string;
}

/**
 * Any thrown value → problem details. Unknown errors become a bare 500: their message may hold SQL,
 * hostnames or patient data, so it goes to the log, never to the client.
 */
export function toProblem(error: unknown, context: ProblemContext = {}): MappedProblem {
  if (error instanceof DomainError) {
    return {
      problem: build(error.code, context, error.detail, error.errors, error.extensions),
      headers: error.headers,
      unexpected: false,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = errorCodeForStatus(status);
    // Nest's own 4xx messages ("Cannot GET /x") are safe and useful; 5xx ones are not ours to show.
    const detail = status < 500 ? httpExceptionDetail(error) : undefined;
    return { problem: build(code, context, detail), headers: {}, unexpected: status >= 500 };
  }
  const fastify = fastifyClientError(error);
  if (fastify) {
    return { problem: build(errorCodeForStatus(fastify.statusCode), context, fastify.message), headers: {}, unexpected: false };
  }
  // An unreachable or silent database is an outage to wait out (503 + Retry-After), not a bug (500).
  if (isDatabaseUnavailable(error)) return toProblem(databaseUnavailableError(error), context);
  return { problem: build(ErrorCode.Internal, context), headers: {}, unexpected: true };
}

function build(
  code: ErrorCode,
  context: ProblemContext,
  detail?: string,
  errors?: readonly ValidationIssue[],
  extensions: Readonly<Record<string, unknown>> = {},
): ProblemDetails {
  const { status, title } = errorCodeInfo(code);
  return {
    ...extensions,
    type: problemType(code),
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(context.instance === undefined ? {} : { instance: context.instance }),
    code,
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    ...(errors === undefined ? {} : { errors }),
  };
}

function httpExceptionDetail(error: HttpException): string | undefined {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  if (response && typeof response === 'object' && 'message' in response) {
    const message = (response as { message: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.filter((m) => typeof m === 'string').join('; ');
  }
  return undefined;
}

/**
 * Fastify rejects some requests before Nest sees them (malformed JSON, body too large, wrong content
 * type) with an error carrying a 4xx statusCode and a FST_* code; its message is generic and safe.
 */
function fastifyClientError(error: unknown): { statusCode: number; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  return { statusCode, message: error.message };
}
