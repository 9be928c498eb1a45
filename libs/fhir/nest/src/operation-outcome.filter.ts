import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { PROBLEM_TYPE_BASE, toProblem } from '@lienthong/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FHIR_CONTENT_TYPE, FhirOperationError, operationOutcome, outcomeFromError } from '@lienthong/fhir';

/** Turns a service's own error type into a platform DomainError (or returns anything else as is). */
export type ErrorTranslator = (exception: unknown) => unknown;

/** Problem codes as a FHIR code system: the same stable codes problem+json clients switch on. */
export const ERROR_CODE_SYSTEM = PROBLEM_TYPE_BASE.replace(/\/$/, '');

/**
 * FHIR endpoints answer every error as an OperationOutcome (application/fhir+json). Status, wording
 * and headers come from the platform's problem mapping, so the REST and FHIR answers to one error
 * never disagree, and unknown errors stay a bare 500 whose internals only reach the log.
 *
 * Use an instance: `@UseFilters(new OperationOutcomeFilter(translate))`, where `translate` maps the
 * service's coded errors onto DomainError (the same mapping its problem+json filter uses).
 */
@Catch()
export class OperationOutcomeFilter implements ExceptionFilter {
  private readonly logger = new Logger('OperationOutcomeFilter');

  constructor(private readonly translate: ErrorTranslator = (exception) => exception) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof FhirOperationError) {
      if (reply.sent) return;
      const outcome = operationOutcome({ severity: 'error', code: exception.issueType, diagnostics: exception.diagnostics });
      void reply.status(exception.status).header('content-type', FHIR_CONTENT_TYPE).send(outcome);
      return;
    }
    const { problem, headers, unexpected } = toProblem(this.translate(exception), { requestId: String(request.id) });
    if (unexpected) this.logger.error({ err: exception, requestId: request.id }, 'unhandled error');
    if (reply.sent) return;
    const outcome = outcomeFromError({ ...problem, coding: { system: ERROR_CODE_SYSTEM, code: problem.code } });
    void reply
      .status(problem.status)
      .headers({ ...headers, 'content-type': FHIR_CONTENT_TYPE })
      .send(outcome);
  }
}
