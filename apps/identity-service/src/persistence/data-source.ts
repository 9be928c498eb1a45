import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { IDENTITY_ENTITIES, IDENTITY_MIGRATIONS } from './entities';

export function identityDataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: IDENTITY_ENTITIES,
    migrations: IDENTITY_MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    // Registration runs many short transactions in parallel; the pool bounds them.
    extra: { max: Number(process.env['DB_POOL_SIZE'] ?? 20) },
  };
}

/**
 * For the TypeORM CLI: `npx typeorm -d apps/identity-service/src/persistence/data-source.ts migration:run`
 * (through run-ts), with DATABASE_URL set.
 */
export default new DataSource(identityDataSourceOptions(process.env['DATABASE_URL'] ?? 'postgres://lt_identity@127.0.0.1:5432/lt_identity'));
