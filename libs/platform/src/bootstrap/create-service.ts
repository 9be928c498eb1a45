import helmet from '@fastify/helmet';
import type { IncomingMessage } from 'node:http';
import { Logger as NestLogger, Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type CustomTransportStrategy } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { ConfigError, type EnvSource } from '../config/config';
import { clientErrorHandler, frameworkErrorReply } from '../errors/framework-errors';
import { requireUtf8JsonBodies } from '../errors/utf8-json';
import type { ServiceConfig, ServiceConfigDefinition } from '../config/service-config';
import { HealthService } from '../health/health.service';
import { requestIdFor, REQUEST_ID_HEADER } from '../logging/logger';
import { scrubLogLine } from '../logging/redaction';
import { registerHttpMetrics } from '../metrics/http-metrics';
import { collectProcessMetrics, metricsRegistry } from '../metrics/metrics-registry';
import { PlatformModule, type Dependency } from './platform.module';

export interface ServiceOptions<C extends ServiceConfig> {
  readonly config: ServiceConfigDefinition<C>;
  /** Dependencies checked by /health/ready with connections of the platform's own. */
  readonly readiness?: readonly Dependency[];
  readonly docs?: { readonly title?: string; readonly description?: string; readonly version?: string };
  /** Defaults to process.env. */
  readonly env?: EnvSource;
  /** Defaults to stdout (scrubbed); tests capture logs here. */
  readonly logDestination?: DestinationStream;
  /** Request body limit in bytes (default 1 MiB; claim XML uploads need more). */
  readonly bodyLimit?: number;
  /**
   * Providers of the app that are Nest microservice transports (messaging's `InboxTransport`):
   * connected and started by bootstrapService before the HTTP server listens, stopped on shutdown.
   */
  readonly transports?: readonly Type<CustomTransportStrategy>[];
}

export interface Service<C extends ServiceConfig> {
  readonly app: NestFastifyApplication;
  readonly config: C;
}

@Module({})
class ServiceRootModule {}

/**
 * Builds and initialises the app (not listening): config validated, logger, helmet, problem+json,
 * OpenAPI at /docs (/docs-json), health, metrics, auth guard. Throws ConfigError on bad configuration.
 */
export async function createService<C extends ServiceConfig>(appModule: Type | DynamicModule, options: ServiceOptions<C>): Promise<Service<C>> {
  bootingService = options.config.name;
  const config = options.config.load(options.env);
  metricsRegistry.setDefaultLabels({ service: config.service.name });
  collectProcessMetrics();

  const adapter = new FastifyAdapter({
    logger: false,
    genReqId: (req: IncomingMessage) => requestIdFor(req),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // During shutdown, requests arriving on kept-alive connections get 503 + Connection: close.
    return503OnClosing: true,
    // What Fastify's router and Node's parser refuse before Nest sees a request answers problem+json too.
    frameworkErrors: frameworkErrorReply,
    clientErrorHandler,
  });
  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [
      PlatformModule.forRoot({
        config,
        ...(options.readiness ? { readiness: options.readiness } : {}),
        ...(options.logDestination ? { logDestination: options.logDestination } : {}),
      }),
      appModule,
    ],
  };
  // Nest's own logs are held until the JSON logger exists. If creating the app fails (its database is
  // unreachable, say), they are dropped rather than flushed as coloured text: the failure is reported
  // once, as one JSON line, by exitOnBootFailure.
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, { bufferLogs: true, autoFlushLogs: false, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // Through Nest's Logger (not nestjs-pino's directly) so `log(object, message)` keeps both.
  const logger = new NestLogger('Service');

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // While shutting down, every response closes its connection: a kept-alive client would otherwise
  // hold the server open (Node closes only the connections idle at the moment close() is called).
  const health = app.get(HealthService);
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (health.isShuttingDown) void reply.header('connection', 'close');
    done(null, payload);
  });
  registerHttpMetrics(fastify);
  await app.register(helmet, {
    contentSecurityPolicy: {
      // Swagger UI needs inline styles/scripts and data: images; nothing else is served as HTML.
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'", "'unsafe-inline'"],
      },
    },
  });

  const docs = new DocumentBuilder()
    .setTitle(options.docs?.title ?? config.service.name)
    .setDescription(options.docs?.description ?? '')
    .setVersion(options.docs?.version ?? '1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  SwaggerModule.setup('docs', app, cleanupOpenApiDoc(SwaggerModule.createDocument(app, docs)), {
    jsonDocumentUrl: 'docs-json',
  });
  await app.init();
  requireUtf8JsonBodies(fastify); // after init: replaces the JSON parsers Nest and FHIR modules registered there

  logger.log({ config: options.config.redact(config) }, 'configuration loaded');
  return { app, config };
}

const TRACING_SHUTDOWN = Symbol.for('lienthong.tracing.shutdown');

/**
 * createService + listen + graceful shutdown. On SIGTERM/SIGINT: readiness turns 503, the server stops
 * accepting and lets in-flight requests finish, then Nest's shutdown hooks run (relays and consumers
 * stop and commit, pools close), traces flush, and the process exits 0 — or 1 if that takes longer
 * than SHUTDOWN_TIMEOUT_MS. (Nest's enableShutdownHooks re-raises the signal: exit 143.)
 */
export async function bootstrapService<C extends ServiceConfig>(appModule: Type | DynamicModule, options: ServiceOptions<C>): Promise<Service<C>> {
  const service = await createService(appModule, options);
  const { app, config } = service;
  const logger = new NestLogger('Service');
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.service.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.service.shutdownTimeoutMs);
    deadline.unref();
    try {
      app.get(HealthService).markShuttingDown();
      // HTTP first: Nest's close() runs module destroy hooks before closing the server, which would
      // pull pools from under requests still in flight.
      await app.getHttpAdapter().close();
      await app.close();
      const flushTracing = (globalThis as Record<symbol, unknown>)[TRACING_SHUTDOWN];
      if (typeof flushTracing === 'function') await (flushTracing as () => Promise<void>)();
      logger.log('shutdown complete');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, (s: NodeJS.Signals) => void shutdown(s));
  }
  // Not inheriting the app's config: the HTTP guard, pipe and problem+json filter are not for events.
  for (const transport of options.transports ?? []) app.connectMicroservice({ strategy: app.get(transport) });
  await app.startAllMicroservices();
  await app.listen({ port: config.service.port, host: config.service.host });
  logger.log({ url: await app.getUrl() }, 'listening');
  return service;
}

/** The service being started, for the boot-failure line (set by createService; migrate.js has none). */
let bootingService: string | undefined;

/** `bootstrapService(...).catch(exitOnBootFailure)` in main.ts: one JSON log line and exit 1. */
export function exitOnBootFailure(error: unknown): never {
  process.stderr.write(bootFailureLine(error, bootingService ?? process.env['SERVICE_NAME']));
  process.exit(1);
}

/**
 * A boot failure as one JSON line, like every other log line (a log shipper keeps it whole): the
 * configuration problems by variable, or the error with its cause chain. Credentials in URLs
 * (`postgres://user:password@…`) and identifier-shaped values are masked.
 */
export function bootFailureLine(error: unknown, service?: string): string {
  const entry =
    error instanceof ConfigError
      ? { msg: 'invalid configuration', issues: error.issues }
      : { msg: 'service failed to start', err: describeError(error) };
  const line = JSON.stringify({ level: 'fatal', time: new Date().toISOString(), ...(service ? { service } : {}), ...entry });
  return scrubLogLine(`${maskUrlCredentials(line)}\n`);
}

interface ErrorDescription {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  errors?: ErrorDescription[];
  cause?: ErrorDescription;
}

function describeError(error: unknown, depth = 0): ErrorDescription {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const { code, cause } = error as Error & { code?: unknown };
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(depth === 0 && error.stack ? { stack: error.stack } : {}),
    // Node reports a refused dual-stack connect as an AggregateError with an empty message.
    ...(error instanceof AggregateError && depth < 3 ? { errors: error.errors.map((e: unknown) => describeError(e, depth + 1)) } : {}),
    ...(cause !== undefined && depth < 3 ? { cause: describeError(cause, depth + 1) } : {}),
  };
}

/** `scheme://user:secret@host` → `scheme://user:***@host`, wherever it appears in the text. */
export function maskUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*):[^\s/@"]+@/gi, '$1:***@');
}
