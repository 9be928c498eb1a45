import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEV_AUTH_DIR, ensureDevKeyPair } from '../auth/dev-key';
import { z } from 'zod';
import {
  ConfigError,
  env,
  envSchema,
  parseConfig,
  redactConfig,
  type ConfigIssue,
  type ConfigOf,
  type ConfigSpec,
  type EnvSource,
} from './config';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Database timeouts when the environment sets none: together they bound how long a request waits on
 * an unreachable or silent database (connect 3 s; a statement 5 s, the client's own cut-off 6 s)
 * before it answers 503.
 */
export const DB_TIMEOUT_DEFAULTS = {
  connectTimeoutMs: 3_000,
  statementTimeoutMs: 5_000,
  idleInTransactionTimeoutMs: 10_000,
} as const;

/** Where local runs find the key written by `npm run token` (scripts/token.cjs). */
export const DEV_PUBLIC_KEY_FILE = `${DEV_AUTH_DIR}/public.pem`;
export const DEV_ISSUER = 'https://auth.lienthong.local/dev';
export const DEV_AUDIENCE = 'lienthong';

export interface ServiceConfigOptions<E extends ConfigSpec> {
  /** e.g. `sample-service`; default of SERVICE_NAME, also the Kafka client id and metrics label. */
  readonly name: string;
  /** Default of PORT (DESIGN.md lists one per service). */
  readonly port: number;
  /** Default database for local runs (`lt_identity`…); scripts/infra.sh creates a role of the same name. */
  readonly database?: string;
  /** The app's own section(s), merged at the top level: `{ sample: { greeting: env(...) } }`. */
  readonly extend?: E;
}

function baseSpec(options: ServiceConfigOptions<ConfigSpec>) {
  const database = options.database ?? 'postgres';
  const role = options.database ?? 'postgres';
  return {
    service: {
      name: env('SERVICE_NAME', z.string().min(1).default(options.name)),
      host: env('HOST', z.string().min(1).default('0.0.0.0')),
      port: env('PORT', envSchema.port().default(options.port)),
      /** Longest wait for in-flight work on SIGTERM before exiting anyway (k8s grace is 30 s). */
      shutdownTimeoutMs: env('SHUTDOWN_TIMEOUT_MS', envSchema.positiveInt().default(25_000)),
      environment: env('NODE_ENV', z.enum(['development', 'test', 'production']).default('development')),
    },
    db: {
      url: env(
        'DATABASE_URL',
        envSchema.url(['postgres', 'postgresql']).default(`postgres://${role}@127.0.0.1:5432/${database}`),
        { secret: true },
      ),
      /** Connections per process; many short transactions run in parallel and the pool bounds them. */
      poolSize: env('DB_POOL_SIZE', envSchema.positiveInt().default(20)),
      /**
       * Longest wait for a connection (a new one, or a free slot in the pool). Without it a peer that
       * accepts TCP and never answers holds every request for minutes (the OS connect timeout).
       */
      connectTimeoutMs: env('DB_CONNECT_TIMEOUT_MS', envSchema.positiveInt().default(DB_TIMEOUT_DEFAULTS.connectTimeoutMs)),
      /**
       * Server-side cap on one statement; the client gives up a second later on its own, so a peer
       * that stops answering mid-query cannot hold a request longer either. Request statements take
       * milliseconds; migrations run without it.
       */
      statementTimeoutMs: env('DB_STATEMENT_TIMEOUT_MS', envSchema.positiveInt().default(DB_TIMEOUT_DEFAULTS.statementTimeoutMs)),
      /** A transaction left open (a stuck client) is ended by the server, releasing its locks. */
      idleInTransactionTimeoutMs: env(
        'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
        envSchema.positiveInt().default(DB_TIMEOUT_DEFAULTS.idleInTransactionTimeoutMs),
      ),
    },
    kafka: {
      brokers: env('KAFKA_BROKERS', envSchema.hostPorts().default(['127.0.0.1:9092'])),
      clientId: env('KAFKA_CLIENT_ID', z.string().min(1).default(options.name)),
    },
    redis: {
      url: env('REDIS_URL', envSchema.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'), { secret: true }),
    },
    auth: {
      publicKey: env('AUTH_PUBLIC_KEY', z.string().optional(), { display: keyFingerprint }),
      publicKeyFile: env('AUTH_PUBLIC_KEY_FILE', z.string().optional()),
      jwksUrl: env('AUTH_JWKS_URL', envSchema.url(['https', 'http']).optional()),
      issuer: env('AUTH_ISSUER', z.string().min(1).default(DEV_ISSUER)),
      audience: env('AUTH_AUDIENCE', z.string().min(1).default(DEV_AUDIENCE)),
    },
    otel: {
      enabled: env('OTEL_ENABLED', envSchema.boolean().default(false)),
      endpoint: env('OTEL_EXPORTER_OTLP_ENDPOINT', envSchema.url(['http', 'https']).default('http://127.0.0.1:4318')),
    },
    log: {
      level: env('LOG_LEVEL', z.enum(LOG_LEVELS).default('info')),
    },
  } satisfies ConfigSpec;
}

export type BaseConfigSpec = ReturnType<typeof baseSpec>;
export type ServiceConfig = ConfigOf<BaseConfigSpec>;

export interface ServiceConfigDefinition<C extends ServiceConfig> {
  readonly name: string;
  readonly spec: ConfigSpec;
  /** Validates `source` (default process.env); throws ConfigError naming every bad variable. */
  load(source?: EnvSource): C;
  /** What may be logged. */
  redact(config: C): Record<string, unknown>;
}

/** Declares a service's configuration: the platform's groups plus the app's own. */
export function defineServiceConfig<E extends ConfigSpec = Record<never, never>>(
  options: ServiceConfigOptions<E>,
): ServiceConfigDefinition<ServiceConfig & ConfigOf<E>> {
  const spec = { ...baseSpec(options), ...(options.extend ?? {}) } as BaseConfigSpec & E;
  return {
    name: options.name,
    spec,
    load(source: EnvSource = process.env) {
      const { config, issues } = parseConfig(spec, source);
      const resolved = resolveAuthKey(config as ServiceConfig, issues);
      if (issues.length > 0) throw new ConfigError(issues);
      return { ...config, auth: resolved } as ServiceConfig & ConfigOf<E>;
    },
    redact(config) {
      return redactConfig(spec, config as ConfigOf<BaseConfigSpec & E>);
    },
  };
}

/**
 * Exactly one verification key source. A key file is read here, at boot, so a wrong path fails the
 * start instead of the first request. In development the key written by `npm run token` is the default.
 */
function resolveAuthKey(config: ServiceConfig, issues: ConfigIssue[]): ServiceConfig['auth'] {
  const auth = config.auth;
  if (!auth) return auth;
  const given = [
    auth.publicKey !== undefined && 'AUTH_PUBLIC_KEY',
    auth.publicKeyFile !== undefined && 'AUTH_PUBLIC_KEY_FILE',
    auth.jwksUrl !== undefined && 'AUTH_JWKS_URL',
  ].filter((v): v is string => typeof v === 'string');
  if (given.length > 1) {
    issues.push({ variable: given.join(', '), message: 'set only one of AUTH_PUBLIC_KEY, AUTH_PUBLIC_KEY_FILE, AUTH_JWKS_URL' });
    return auth;
  }
  let file = auth.publicKeyFile;
  if (given.length === 0) {
    if (config.service?.environment === 'production') {
      issues.push({
        variable: 'AUTH_JWKS_URL',
        message: 'one of AUTH_JWKS_URL, AUTH_PUBLIC_KEY, AUTH_PUBLIC_KEY_FILE is required in production',
      });
      return auth;
    }
    file = DEV_PUBLIC_KEY_FILE;
    // A fresh checkout has no dev key yet: create the pair `npm run token` signs with (development only).
    if (config.service?.environment === 'development') ensureDevKeyPair();
  }
  if (file === undefined) return auth;
  try {
    return { ...auth, publicKeyFile: file, publicKey: readFileSync(file, 'utf8') };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = given.length === 0 ? ` (no key configured; the dev key is created by \`npm run token\`)` : '';
    issues.push({ variable: 'AUTH_PUBLIC_KEY_FILE', message: `cannot read ${file}: ${reason}${hint}` });
    return auth;
  }
}

/** Logged instead of the PEM: enough to tell which key a service trusts. */
function keyFingerprint(pem: string): string {
  return `sha256:${createHash('sha256').update(pem.trim()).digest('hex').slice(0, 16)}`;
}

export type ConfigType<D> = D extends ServiceConfigDefinition<infer C> ? C : never;
