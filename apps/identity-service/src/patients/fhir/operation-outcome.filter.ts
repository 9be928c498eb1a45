import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { toProblem } from '@lienthong/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PatientError } from '../domain/patient-error';
import { toDomainError } from '../http/patient-error.mapping';
import { type FhirOperationOutcome } from './fhir-types';
import { FHIR_CONTENT_TYPE } from './patient-fhir.mapper';

function issueCode(status: number): string {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'invalid';
  return 'exception';
}

/**
 * FHIR endpoints answer errors as OperationOutcome (application/fhir+json). Status and wording come
 * from the same mapping as problem+json, so the two transports never disagree.
 */
@Catch()
export class OperationOutcomeFilter implements ExceptionFilter {
  private readonly logger = new Logger('OperationOutcomeFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = exception instanceof PatientError ? toDomainError(exception) : exception;
    const { problem, headers, unexpected } = toProblem(error, { requestId: String(request.id) });
    if (unexpected) this.logger.error({ err: exception, requestId: request.id }, 'unhandled error');
    const outcome: FhirOperationOutcome = {
      resourceType: 'OperationOutcome',
      issue:
        problem.errors && problem.errors.length > 0
          ? problem.errors.map((e) => ({
              severity: 'error' as const,
              code: issueCode(problem.status),
              diagnostics: `${e.rule}: ${e.message}`,
              ...(e.pointer ?? e.field ? { expression: [e.pointer ?? e.field ?? ''] } : {}),
            }))
          : [{ severity: 'error', code: issueCode(problem.status), diagnostics: problem.detail ?? problem.title }],
    };
    if (reply.sent) return;
    void reply.status(problem.status).headers({ ...headers, 'content-type': FHIR_CONTENT_TYPE }).send(outcome);
  }
}
