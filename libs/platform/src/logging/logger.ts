import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { isPurposeOfUse } from '../auth/actor';
import { loggable } from './loggable';
import { CENSOR, maskIdentifiers, REDACT_PATHS, scrubbingDestination } from './redaction';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * The request id: the caller's `X-Request-Id` when it is a sane token (it is echoed into logs, so no
 * free text), else a new UUID. Stored on the raw request so Fastify and pino-http agree on it.
 */
export function requestIdFor(req: IncomingMessage & { id?: unknown }): string {
  if (typeof req.id === 'string') return req.id;
  const header = req.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  const id = candidate && SAFE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
  req.id = id;
  return id;
}

/**
 * `loggable` has already made every error plain. pino's own err serializer would re-read that object
 * (type "Object", cause messages appended): it is used as is. pino-http runs its serializer before
 * ours whatever we configure, so ours takes back what that one kept as `raw`.
 */
const LOGGED_ERRORS = {
  err: (err: unknown): unknown => (err !== null && typeof err === 'object' && 'raw' in err ? (err as { raw: unknown }).raw : err),
};

/** Base pino options shared by the HTTP logger and any standalone logger (workers, CLIs, tests). */
export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: CENSOR },
    // `loggable` first: errors and binary values become plain, serializable, PHI-free data.
    formatters: { level: (label) => ({ level: label }), log: loggable },
    serializers: LOGGED_ERRORS,
  };
}

/** A plain pino logger with the same redaction, for code outside Nest. */
export function createLogger(service: string, level = 'info', destination: DestinationStream = pino.destination(1)) {
  return pino(loggerOptions(service, level), scrubbingDestination(destination));
}

const QUIET_ROUTES = /^\/(health\/(live|ready)|metrics)(\?|$)/;

export function pinoHttpOptions(service: string, level: string): PinoHttpOptions {
  return {
    ...loggerOptions(service, level),
    genReqId: (req) => requestIdFor(req),
    // Probes and scrapes every few seconds would drown everything else.
    autoLogging: { ignore: (req) => QUIET_ROUTES.test(req.url ?? '') },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      ...LOGGED_ERRORS,
      // Only what helps debugging; no headers or bodies. The path may carry an identifier: masked.
      req: (req: IncomingMessage & { id?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: maskIdentifiers(req.url ?? ''),
        purposeOfUse: loggedPurpose(req.headers?.['x-purpose-of-use']),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
  };
}

/**
 * X-Purpose-Of-Use as the log shows it: a purpose of the vocabulary, or `invalid` — never the header as
 * sent, which is free text of any length and any bytes (the request is refused with a 422 anyway).
 */
export function loggedPurpose(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? (header[0] ?? '') : header).trim().toLowerCase();
  if (value === '') return undefined;
  return isPurposeOfUse(value) ? value : 'invalid';
}
