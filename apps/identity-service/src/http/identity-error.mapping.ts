import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ActorRefusal, DomainError, ErrorCode, toProblem, ValidationError } from '@lienthong/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdentityError, IdentityErrorCode } from '../domain/identity-error';

/**
 * The one mapping of identity-service's error codes onto the platform's transport codes (exhaustive:
 * a new code does not compile until it is mapped). problem+json and FHIR OperationOutcome both go
 * through it.
 */
export function toDomainError(error: IdentityError): DomainError {
  const reason = { extensions: { reason: error.code } };
  switch (error.code) {
    case IdentityErrorCode.Validation:
      return new ValidationError(error.violations, error.message);
    case IdentityErrorCode.FacilityMismatch:
      return new DomainError(ErrorCode.FacilityMismatch, { detail: error.message });
    case IdentityErrorCode.FacilityRequired:
      return new DomainError(ErrorCode.Forbidden, { detail: error.message, extensions: { reason: ActorRefusal.FacilityRequired } });
    case IdentityErrorCode.CrossFacilityForbidden:
      return new DomainError(ErrorCode.Forbidden, { detail: error.message, ...reason });
    case IdentityErrorCode.IdempotencyConflict:
      return new DomainError(ErrorCode.IdempotencyKeyReused, { detail: error.message });
    case IdentityErrorCode.PatientNotFound:
    case IdentityErrorCode.ReviewItemNotFound:
    case IdentityErrorCode.MergeNotFound:
    case IdentityErrorCode.FacilityNotFound:
      return new DomainError(ErrorCode.NotFound, { detail: error.message, ...reason });
    case IdentityErrorCode.ReviewItemClosed:
    case IdentityErrorCode.MergeConflict:
      return new DomainError(ErrorCode.Conflict, { detail: error.message, ...reason });
  }
}

/** REST: IdentityError → problem+json (everything else falls through to the platform's filter). */
@Catch(IdentityError)
export class IdentityProblemFilter implements ExceptionFilter {
  catch(exception: IdentityError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers } = toProblem(toDomainError(exception), { instance: request.url.split('?')[0], requestId: String(request.id) });
    void reply.status(problem.status).headers({ ...headers, 'content-type': 'application/problem+json' }).send(problem);
  }
}
