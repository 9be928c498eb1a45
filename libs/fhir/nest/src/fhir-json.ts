import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { FHIR_CONTENT_TYPE } from '@lienthong/fhir';

/**
 * Makes Fastify accept `application/fhir+json` request bodies exactly as it accepts `application/json`
 * (R4 §3.1.0.1.6: FHIR clients send the FHIR media type): the same body limit, the same JSON parser
 * with the same prototype-poisoning rules, so a malformed or oversized FHIR body is refused with the
 * same status and error as a JSON one. Idempotent: several modules may ask for it.
 *
 * Content-type parsers must be added before Fastify is ready, i.e. during Nest's init: call it from
 * `onModuleInit` (FhirJsonBodies does), not later.
 */
export function acceptFhirJson(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser(FHIR_CONTENT_TYPE)) return;
  const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  fastify.addContentTypeParser(FHIR_CONTENT_TYPE, { parseAs: 'string', ...(bodyLimit !== undefined ? { bodyLimit } : {}) }, parseJson);
}

/** acceptFhirJson as a provider: list it in a module's providers and FHIR bodies parse from boot on. */
@Injectable()
export class FhirJsonBodies implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // An application context (a worker, an in-process test) has no HTTP server: nothing to teach.
    if (!this.adapterHost.httpAdapter) return;
    acceptFhirJson(fhirFastify(this.adapterHost));
  }
}

/** The Fastify instance under Nest (FHIR support is Fastify-only, like every service here). */
export function fhirFastify(adapterHost: HttpAdapterHost): FastifyInstance {
  return adapterHost.httpAdapter.getInstance<FastifyInstance>();
}
