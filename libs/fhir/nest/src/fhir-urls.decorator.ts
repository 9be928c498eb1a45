import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { fhirUrls, type FhirUrls } from '@lienthong/fhir';

/**
 * The request's FHIR base and self URLs, for absolute `fullUrl`s and self links:
 * `@RequestFhirUrls('/fhir') urls: FhirUrls`. Derived from the request (protocol and host honour
 * Fastify's trustProxy); a service with a configured public base calls `fhirUrls` itself.
 */
export const RequestFhirUrls = createParamDecorator((basePath: string | undefined, context: ExecutionContext): FhirUrls => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return fhirUrls({ protocol: request.protocol, host: request.host, url: request.url }, basePath ?? '/fhir');
});
