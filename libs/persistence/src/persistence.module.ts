import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { type DataSource, type DataSourceOptions } from 'typeorm';
import { TypeormUnitOfWork } from './typeorm-unit-of-work';
import { UnitOfWork } from './unit-of-work';

export interface PersistenceOptions {
  readonly url: string;
  readonly poolSize: number;
  /** The service's schema, listed by class (bundled; never globs). */
  readonly entities: NonNullable<DataSourceOptions['entities']>;
  readonly migrations: NonNullable<DataSourceOptions['migrations']>;
}

/** DataSource options every service uses: Postgres, its own entities and migrations, a bounded pool. */
export function dataSourceOptions(options: PersistenceOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'typeorm_migrations',
    extra: { max: options.poolSize },
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
          useFactory: (...args: unknown[]) => dataSourceOptions(options.useFactory(...args)),
        }),
      ],
      providers: [{ provide: UnitOfWork, inject: [getDataSourceToken()], useFactory: (dataSource: DataSource) => new TypeormUnitOfWork(dataSource) }],
      exports: [UnitOfWork],
    };
  }
}
