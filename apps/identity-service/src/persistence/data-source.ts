import { dataSourceOptions, type PersistenceOptions } from '@lienthong/persistence';
import { type DataSourceOptions } from 'typeorm';
import { IDENTITY_ENTITIES, IDENTITY_MIGRATIONS } from './entities';

/** Where the database is and how long to wait for it: the platform's validated `db` group, or a test's own. */
export type DatabaseSettings = Omit<PersistenceOptions, 'entities' | 'migrations'>;

/** The service's schema on the database settings (the module, migrate.js, rotate-keys.js and tests use it). */
export function identityPersistence(db: DatabaseSettings): PersistenceOptions {
  return { ...db, entities: IDENTITY_ENTITIES, migrations: IDENTITY_MIGRATIONS };
}

export function identityDataSourceOptions(db: DatabaseSettings): DataSourceOptions {
  return dataSourceOptions(identityPersistence(db));
}
