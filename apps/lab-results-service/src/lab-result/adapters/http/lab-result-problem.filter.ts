import { ActorRefusal, DomainError, ErrorCode, PROBLEM_CONTENT_TYPE, toProblem, ValidationError } from '@lienthong/platform';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LabResultError, LabResultErrorCode } from '../../domain/lab-result-error';

/**
 * The one mapping of lab-results error codes onto the platform's HTTP codes (exhaustive: a new code does
 * not compile until mapped). Every context of the service (lab-result, reuse, registry) throws LabResultError.
 */
export function toDomainError(error: LabResultError): DomainError {
  const reason = { extensions: { reason: error.code } };
  switch (error.code) {
    case LabResultErrorCode.Validation:
    case LabResultErrorCode.UnknownPatient:
      return new ValidationError(error.violations, error.message);
    case LabResultErrorCode.FacilityRequired:
      return new DomainError(ErrorCode.Forbidden, { detail: error.message, extensions: { reason: ActorRefusal.FacilityRequired } });
    case LabResultErrorCode.FacilityMismatch:
      return new DomainError(ErrorCode.FacilityMismatch, { detail: error.message });
    case LabResultErrorCode.Forbidden:
    case LabResultErrorCode.NoCareRelationship:
      return new DomainError(ErrorCode.Forbidden, { detail: error.message, ...reason });
    case LabResultErrorCode.NotFound:
      return new DomainError(ErrorCode.NotFound, { detail: error.message, ...reason });
    case LabResultErrorCode.Conflict:
    case LabResultErrorCode.InvalidMerge:
      return new DomainError(ErrorCode.Conflict, { detail: error.message, ...reason });
    case LabResultErrorCode.UnreadableFile:
      return new DomainError(ErrorCode.BadRequest, { detail: error.message, errors: error.violations, extensions: { ...error.extensions, reason: error.code } });
    case LabResultErrorCode.PayloadTooLarge:
      return new DomainError(ErrorCode.PayloadTooLarge, { detail: error.message, extensions: { ...error.extensions, reason: error.code } });
    case LabResultErrorCode.DependencyUnavailable:
      return new DomainError(ErrorCode.ServiceUnavailable, { detail: error.message, ...reason });
  }
}

/** LabResultError → problem+json; everything else falls through to the platform's filter. */
@Catch(LabResultError)
export class LabResultProblemFilter implements ExceptionFilter {
  catch(exception: LabResultError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers } = toProblem(toDomainError(exception), { instance: request.url.split('?')[0], requestId: String(request.id) });
    void reply.status(problem.status).headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE }).send(problem);
  }
}
