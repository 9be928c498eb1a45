import { ActorRefusal, DomainError, ErrorCode, PROBLEM_CONTENT_TYPE, toProblem, ValidationError } from '@lienthong/platform';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsentError, ConsentErrorCode } from '../../domain/consent-error';

/**
 * The one mapping of consent error codes onto the platform's HTTP codes (exhaustive: a new code does
 * not compile until mapped). problem+json and the FHIR OperationOutcome both go through it.
 */
export function toDomainError(error: ConsentError): DomainError {
  const reason = { extensions: { reason: error.code } };
  switch (error.code) {
    case ConsentErrorCode.Validation:
    case ConsentErrorCode.UnknownPatient:
      return new ValidationError(error.violations, error.message);
    case ConsentErrorCode.FacilityRequired:
      return new DomainError(ErrorCode.Forbidden, { detail: error.message, extensions: { reason: ActorRefusal.FacilityRequired } });
    case ConsentErrorCode.Forbidden:
      return new DomainError(ErrorCode.Forbidden, { detail: error.message, ...reason });
    case ConsentErrorCode.NotFound:
      return new DomainError(ErrorCode.NotFound, { detail: error.message, ...reason });
    case ConsentErrorCode.Conflict:
    case ConsentErrorCode.InvalidMerge:
      return new DomainError(ErrorCode.Conflict, { detail: error.message, ...reason });
    case ConsentErrorCode.IdempotencyMismatch:
      return new DomainError(ErrorCode.IdempotencyKeyReused, { detail: error.message });
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
