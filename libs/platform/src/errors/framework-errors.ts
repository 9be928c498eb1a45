import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER } from '../logging/logger';
import { DomainError } from './domain-error';
import { ErrorCode, errorCodeInfo } from './error-code';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/*
 * Two kinds of request never reach Nest, so its filters never shape their answers: Fastify's router
 * refuses a URL it cannot decode (`/v1/consents/%FF%FE`) or a path parameter over its length limit,
 * and Node's HTTP parser refuses a request it cannot parse (a NUL in a header, a header block too
 * large). Left to themselves they answer in Fastify's own JSON, echoing the path. These answer
 * problem+json like every other error, naming nothing the client sent.
 */

/** Fastify's `frameworkErrors` (bad URL encoding, a path parameter too long, a failed constraint). */
export function frameworkErrorReply(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known =
    error.code === 'FST_ERR_BAD_URL'
      ? new DomainError(ErrorCode.BadRequest, { detail: 'The URL is not valid: a path segment is not well-formed percent-encoded UTF-8.' })
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new DomainError(ErrorCode.UriTooLong, { detail: 'A path segment is longer than this service accepts.' })
        : error;
  // No `instance`: the path is what could not be read (or is kilobytes long).
  const { problem } = toProblem(known, { requestId: String(request.id) });
  void reply.status(problem.status).header(REQUEST_ID_HEADER, String(request.id)).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}

/** The raw HTTP response for a request Node could not parse (Fastify's `clientErrorHandler` writes it). */
export function clientErrorResponse(error: Error & { code?: string }): string {
  const problemError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new DomainError(ErrorCode.RequestHeaderFieldsTooLarge, { detail: 'The request headers are larger than this service accepts.' })
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new DomainError(ErrorCode.RequestTimeout, { detail: 'The request did not arrive in time.' })
        : new DomainError(ErrorCode.BadRequest, { detail: 'The request could not be parsed: its request line or a header holds characters HTTP does not allow.' });
  const { problem } = toProblem(problemError);
  const body = JSON.stringify(problem);
  const { title } = errorCodeInfo(problem.code);
  return `HTTP/1.1 ${problem.status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Fastify's `clientErrorHandler`: the problem+json answer when the socket can still take it, then the socket closed. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.write(clientErrorResponse(error));
  socket.destroy(error);
}
