import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from './domain-error';

/** The JSON media types whose bodies must be UTF-8 (RFC 8259 §8.1; FHIR R4 §2.6.2 for fhir+json). */
export const JSON_CONTENT_TYPES: readonly string[] = ['application/json', 'application/fhir+json'];

type ParserDone = (error: Error | null, body?: unknown) => void;

/**
 * A JSON body parser that decodes UTF-8 fatally before parsing. Fastify's own decodes leniently: invalid
 * bytes become U+FFFD, which then reaches the database as if the client had sent it — a name silently
 * changed. Invalid bytes are a 422 instead (`#` and `encoding:utf-8`: the body as a whole). Parsing
 * itself is Fastify's, with the instance's prototype-poisoning rules, so malformed JSON, an empty body
 * and `__proto__` keys fail exactly as before. Lone surrogate escapes (`"\ud800"`) are valid JSON text
 * and are refused later, by the validation pipe, with the pointer of the string that holds one.
 */
export function utf8JsonParser(fastify: FastifyInstance): (request: FastifyRequest, body: Buffer | string, done: ParserDone) => void {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return (request, body, done) => {
    let text: string;
    try {
      text = typeof body === 'string' ? body : decoder.decode(body);
    } catch {
      done(new ValidationError([{ pointer: '#', rule: 'encoding:utf-8', message: 'the body is not valid UTF-8' }], 'The request body is not valid UTF-8.'));
      return;
    }
    // Fastify's JSON parser answers through `done`; nothing to await.
    void parseJson(request, text, done);
  };
}

/**
 * Makes every JSON body of the instance go through utf8JsonParser: `application/json` always, and each
 * other JSON media type a module has registered (libs/fhir's `application/fhir+json`), replacing their
 * parsers with the same limits. Call it after the app is initialised (Nest registers its JSON parser
 * during init, FHIR modules theirs in onModuleInit) and before it listens.
 */
export function requireUtf8JsonBodies(fastify: FastifyInstance, contentTypes: readonly string[] = JSON_CONTENT_TYPES): void {
  const { bodyLimit } = fastify.initialConfig;
  const parser = utf8JsonParser(fastify);
  for (const contentType of contentTypes) {
    if (contentType !== 'application/json' && !fastify.hasContentTypeParser(contentType)) continue;
    if (fastify.hasContentTypeParser(contentType)) fastify.removeContentTypeParser(contentType);
    fastify.addContentTypeParser(contentType, { parseAs: 'buffer', ...(bodyLimit !== undefined ? { bodyLimit } : {}) }, parser);
  }
}
