import { DomainError, ErrorCode, PROBLEM_CONTENT_TYPE, toProblem, ValidationError } from '@lienthong/platform';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';

/** The one mapping of consent error codes onto the platform's HTTP codes (exhaustive: a new code does not compile until mapped). */
export function toDomainError(error: ConsentError): DomainError {
  switch (error.code) {
    case ConsentErrorCode.Validation:
      return new ValidationError(error.violations, error.message);
    case ConsentErrorCode.FacilityRequired:
      return new DomainError(ErrorCode.Forbidden, { detail: error.message, extensions: { reason: error.code } });
  }
}

/** ConsentError → problem+json; everything else falls through to the platform's filter. */
@Catch(ConsentError)
export class ConsentProblemFilter implements ExceptionFilter {
  catch(exception: ConsentError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers } = toProblem(toDomainError(exception), { instance: request.url.split('?')[0], requestId: String(request.id) });
    void reply.status(problem.status).headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE }).send(problem);
  }
}
