import type { FastifyInstance } from 'fastify';
import { histogram } from './metrics-registry';

export const HTTP_DURATION_METRIC = 'http_server_request_duration_seconds';
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Request duration by method, route *template* and status. The template (`/v1/patients/:id`) keeps
 * cardinality bounded and keeps identifiers (a CCCD in a path) out of metric labels.
 */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  const duration = histogram({
    name: HTTP_DURATION_METRIC,
    help: 'HTTP server request duration in seconds, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
