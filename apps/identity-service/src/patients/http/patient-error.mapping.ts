import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError, ErrorCode, ValidationError, toProblem } from '@lienthong/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PatientError, PatientErrorCode } from '../domain/patient-error';

/** The one mapping of patient error codes onto the platform's HTTP error codes (exhaustive). */
export function toDomainError(error: PatientError): DomainError {
  switch (error.code) {
    case PatientErrorCode.Validation:
      return new ValidationError(
        error.violations.map((v) => (v.pointer.startsWith('/') ? { pointer: `#${v.pointer}`, rule: v.rule, message: v.message } : { field: v.pointer, rule: v.rule, message: v.message })),
        error.message,
      );
    case PatientErrorCode.FacilityMismatch:
      return new DomainError(ErrorCode.FacilityMismatch, { detail: error.message });
    case PatientErrorCode.NoFacilityInToken:
    case PatientErrorCode.CrossFacilityForbidden:
      return new DomainError(ErrorCode.Forbidden, { detail: error.message, extensions: { reason: error.code } });
    case PatientErrorCode.IdempotencyConflict:
      return new DomainError(ErrorCode.IdempotencyKeyReused, { detail: error.message });
    case PatientErrorCode.PatientNotFound:
    case PatientErrorCode.ReviewItemNotFound:
    case PatientErrorCode.MergeNotFound:
      return new DomainError(ErrorCode.NotFound, { detail: error.message, extensions: { reason: error.code } });
    case PatientErrorCode.ReviewItemClosed:
    case PatientErrorCode.MergeConflict:
      return new DomainError(ErrorCode.Conflict, { detail: error.message, extensions: { reason: error.code } });
  }
}

/** REST controllers: PatientError → problem+json (everything else falls through to the platform's filter). */
@Catch(PatientError)
export class PatientProblemFilter implements ExceptionFilter {
  catch(exception: PatientError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers } = toProblem(toDomainError(exception), { instance: request.url.split('?')[0], requestId: String(request.id) });
    void reply.status(problem.status).headers({ ...headers, 'content-type': 'application/problem+json' }).send(problem);
  }
}
