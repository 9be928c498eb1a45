import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/** Every HTTP error, ours or the framework's, leaves as application/problem+json (RFC 9457). */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers, unexpected } = toProblem(exception, {
      instance: request.url.split('?')[0],
      requestId: String(request.id),
    });
    if (unexpected) {
      this.logger.error({ err: exception, requestId: request.id }, 'unhandled error');
    }
    if (reply.sent) return;
    void reply
      .status(problem.status)
      .headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE })
      .send(problem);
  }
}
