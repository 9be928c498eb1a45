import { Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Observable } from 'rxjs';

/**
 * Patient data must not sit in a browser, proxy or gateway cache (a shared workstation, a caching
 * reverse proxy at a hospital): every response of a route that can carry it says `no-store`. Set
 * before the handler runs, so the answer carries it whether it succeeds or a filter turns an error
 * into problem+json / OperationOutcome.
 */
@Injectable()
export class NoStoreInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') void context.switchToHttp().getResponse<FastifyReply>().header('cache-control', 'no-store');
    return next.handle();
  }
}

/** On a controller (or one route) whose responses carry patient data: `Cache-Control: no-store`. */
export const NoStore = (): ClassDecorator & MethodDecorator => UseInterceptors(NoStoreInterceptor);
