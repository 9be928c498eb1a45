import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DB_TIMEOUT_DEFAULTS } from '@lienthong/platform';
import { type DataSource, type DataSourceOptions } from 'typeorm';
import { TypeormUnitOfWork } from './typeorm-unit-of-work';
import { UnitOfWork } from './unit-of-work';

export interface PersistenceOptions {
  readonly url: string;
  readonly poolSize: number;
  /** The service's schema, listed by class (bundled; never globs). */
  readonly entities: NonNullable<DataSourceOptions['entities']>;
  readonly migrations: NonNullable<DataSourceOptions['migrations']>;
  /** The platform's `db` group (DB_CONNECT_TIMEOUT_MS…); `DB_TIMEOUT_DEFAULTS` when absent. */
  readonly connectTimeoutMs?: number;
  /** 0 turns the statement timeout off (migrations: an index build may take minutes). */
  readonly statementTimeoutMs?: number;
  readonly idleInTransactionTimeoutMs?: number;
}

/** How much longer than statement_timeout the client waits before giving up on a silent server. */
const CLIENT_GRACE_MS = 1_000;

/**
 * node-postgres settings that bound every wait on the database, for a pool or for one long-lived
 * client of its own (the outbox relay's session, a health probe):
 * - `connectionTimeoutMillis`: a new connection, and in a pool a free slot, within the connect timeout;
 * - `statement_timeout`: the server cancels a statement that runs too long (SQLSTATE 57014);
 * - `query_timeout`: the client stops waiting a little later still — the one guard when the server
 *   (or something in between) accepts the connection and then says nothing at all;
 * - `idle_in_transaction_session_timeout`: the server ends a transaction its client forgot, freeing
 *   its locks and the outbox relay (which waits for every older transaction);
 * - TCP keep-alive, so a peer that vanished is noticed on idle connections too.
 */
export function postgresClientConfig(options: Pick<PersistenceOptions, 'url' | 'connectTimeoutMs' | 'statementTimeoutMs' | 'idleInTransactionTimeoutMs'>) {
  const connectTimeoutMs = options.connectTimeoutMs ?? DB_TIMEOUT_DEFAULTS.connectTimeoutMs;
  const statementTimeoutMs = options.statementTimeoutMs ?? DB_TIMEOUT_DEFAULTS.statementTimeoutMs;
  return {
    connectionString: options.url,
    connectionTimeoutMillis: connectTimeoutMs,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + CLIENT_GRACE_MS } : {}),
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? DB_TIMEOUT_DEFAULTS.idleInTransactionTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}

/** DataSource options every service uses: Postgres, its own entities and migrations, a bounded pool and bounded waits. */
export function dataSourceOptions(options: PersistenceOptions): DataSourceOptions {
  const { connectionString, ...client } = postgresClientConfig(options);
  return {
    type: 'postgres',
    url: connectionString,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'typeorm_migrations',
    extra: { max: options.poolSize, ...client },
  };
}

/**
 * The service's DataSource and its `UnitOfWork` (global). Migrations are never run here: they run once
 * per deploy (`migrate.js`).
 */
@Module({})
export class PersistenceModule {
  static forRootAsync(options: {
    inject: NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest's own factory signature
    useFactory: (...args: any[]) => PersistenceOptions;
  }): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: options.inject,
          // One attempt: a service that cannot reach its database at boot exits at once (one JSON line,
          // exitOnBootFailure) and its supervisor restarts it with backoff; retrying in-process (Nest's
          // default: 9 × 3 s) only delays the signal and logs each attempt as text.
          useFactory: (...args: unknown[]) => ({ ...dataSourceOptions(options.useFactory(...args)), retryAttempts: 1 }),
        }),
      ],
      providers: [{ provide: UnitOfWork, inject: [getDataSourceToken()], useFactory: (dataSource: DataSource) => new TypeormUnitOfWork(dataSource) }],
      exports: [UnitOfWork],
    };
  }
}
