/**
 * OpenTelemetry bootstrap. Must be the FIRST import of an app's main.ts:
 *
 *   import '@lienthong/platform/tracing';
 *
 * so the instrumentations patch http, pg, kafkajs and redis before anything loads them. Does nothing
 * unless OTEL_ENABLED=true. Reads the standard variables: OTEL_EXPORTER_OTLP_ENDPOINT (default
 * http://127.0.0.1:4318), OTEL_SERVICE_NAME (default SERVICE_NAME, else the folder of main.js).
 * It never stops a service from starting: a missing package or a bad setting is reported and skipped.
 *
 * Packages are required inside the enabled branch, not imported at the top: a service with tracing
 * off does not pay for loading the SDK, and a module missing from an image is survivable.
 */
import { basename, dirname } from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { QueryRedactingSpanProcessor } from './tracing-redaction';

const SHUTDOWN_KEY = Symbol.for('lienthong.tracing.shutdown');
const FLUSH_TIMEOUT_MS = 3_000;

type Module = Record<string, unknown>;

// Each require is a literal so the bundler keeps it as an external (and lists it in the generated
// package.json); each runs only when tracing is on, and a failing one is skipped, not fatal.
// Synchronous require on purpose: instrumentations must patch before the app loads its modules.
const loadSdk = (): Module => require('@opentelemetry/sdk-node') as Module;
const loadExporter = (): Module => require('@opentelemetry/exporter-trace-otlp-proto') as Module;

/** The instrumentations, listed explicitly: HTTP in and out, Nest handlers, Postgres, Kafka, Redis, log correlation. */
const INSTRUMENTATIONS: readonly { readonly load: () => Module; readonly exportName: string; readonly config?: object }[] = [
  {
    load: () => require('@opentelemetry/instrumentation-http') as Module,
    exportName: 'HttpInstrumentation',
    // Probes and scrapes would otherwise be most of the traces.
    config: { ignoreIncomingRequestHook: (req: { url?: string }) => /^\/(health|metrics)/.test(req.url ?? '') },
  },
  { load: () => require('@opentelemetry/instrumentation-undici') as Module, exportName: 'UndiciInstrumentation' },
  { load: () => require('@opentelemetry/instrumentation-nestjs-core') as Module, exportName: 'NestInstrumentation' },
  // Statement text only, never bound values (they can be patient identifiers).
  {
    load: () => require('@opentelemetry/instrumentation-pg') as Module,
    exportName: 'PgInstrumentation',
    config: { enhancedDatabaseReporting: false },
  },
  { load: () => require('@opentelemetry/instrumentation-kafkajs') as Module, exportName: 'KafkaJsInstrumentation' },
  // Command names only: arguments can hold keys or values derived from identifiers.
  {
    load: () => require('@opentelemetry/instrumentation-redis') as Module,
    exportName: 'RedisInstrumentation',
    config: { dbStatementSerializer: (command: string) => command },
  },
  { load: () => require('@opentelemetry/instrumentation-pino') as Module, exportName: 'PinoInstrumentation' },
];

function warn(message: string, error?: unknown): void {
  const reason = error instanceof Error ? error.message : error === undefined ? undefined : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'warn', msg: `tracing: ${message}`, ...(reason ? { reason } : {}) })}\n`);
}

function tryLoad(what: string, load: () => Module): Module | undefined {
  try {
    return load();
  } catch (error) {
    warn(`${what} not available; continuing without it`, error);
    return undefined;
  }
}

function serviceName(): string {
  const entry = process.argv[1];
  return process.env['OTEL_SERVICE_NAME'] ?? process.env['SERVICE_NAME'] ?? (entry ? basename(dirname(entry)) : 'lienthong-service');
}

function startTracing(): void {
  const sdkModule = tryLoad('@opentelemetry/sdk-node', loadSdk);
  const NodeSDK = sdkModule?.['NodeSDK'] as (new (config: object) => { start(): void; shutdown(): Promise<void> }) | undefined;
  if (!NodeSDK) return;

  const instrumentations: Instrumentation[] = [];
  for (const { load, exportName, config } of INSTRUMENTATIONS) {
    const Ctor = tryLoad(exportName, load)?.[exportName] as (new (config?: object) => Instrumentation) | undefined;
    if (Ctor) instrumentations.push(new Ctor(config));
  }

  const endpoint = (process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? 'http://127.0.0.1:4318').replace(/\/$/, '');
  const Exporter = tryLoad('@opentelemetry/exporter-trace-otlp-proto', loadExporter)?.['OTLPTraceExporter'] as (new (config: object) => unknown) | undefined;
  const traceExporter = Exporter ? new Exporter({ url: `${endpoint}/v1/traces` }) : undefined;
  if (!traceExporter) warn('no OTLP trace exporter; spans are created but not exported');

  // Query strings are redacted as each span starts (identifier lookups travel in them), then spans are batched to the exporter.
  const tracingApi = sdkModule?.['tracing'] as { BatchSpanProcessor?: new (exporter: unknown) => unknown } | undefined;
  const spanProcessors: unknown[] = [new QueryRedactingSpanProcessor()];
  if (traceExporter && tracingApi?.BatchSpanProcessor) spanProcessors.push(new tracingApi.BatchSpanProcessor(traceExporter));

  try {
    const sdk = new NodeSDK({
      serviceName: serviceName(),
      instrumentations,
      spanProcessors,
    });
    sdk.start();
    // bootstrapService's graceful shutdown calls this to flush the last spans before exiting.
    // Bounded: an unreachable collector must not hold the shutdown for the exporter's retry budget.
    (globalThis as Record<symbol, unknown>)[SHUTDOWN_KEY] = async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          warn(`flush gave up after ${FLUSH_TIMEOUT_MS} ms`);
          resolve();
        }, FLUSH_TIMEOUT_MS);
      });
      await Promise.race([sdk.shutdown().catch((error: unknown) => warn('flush failed', error)), timeout]);
      clearTimeout(timer);
    };
  } catch (error) {
    warn('failed to start; continuing without tracing', error);
  }
}

if (process.env['OTEL_ENABLED'] === 'true') startTracing();

export {};
