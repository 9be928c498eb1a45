import { Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * Patient data must not sit in a browser, proxy or gateway cache (a shared workstation, a caching
 * reverse proxy at a hospital): every response of a route that can carry it says `no-store`. Set
 * before the handler runs, so the answer carries it whether it succeeds or a filter turns an error
 * into problem+json / OperationOutcome.
 *
 * A guard that always lets the request through, not an interceptor: a route with any interceptor goes
 * through Nest's RxJS pipeline, which cost the CCCD lookup about 0.3 ms a request (measured,
 * docs/benchmarks.md); a guard is a plain call. It runs after authentication, and a 401 carries no
 * patient data.
 */
@Injectable()
export class NoStoreGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http') void context.switchToHttp().getResponse<FastifyReply>().header('cache-control', 'no-store');
    return true;
  }
}

/** On a controller (or one route) whose responses carry patient data: `Cache-Control: no-store`. */
export const NoStore = (): ClassDecorator & MethodDecorator => UseGuards(NoStoreGuard);
