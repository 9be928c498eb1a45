import { dataSourceOptions } from '@lienthong/persistence';
import { type DataSourceOptions } from 'typeorm';
import { type IdentityConfig } from '../config/identity.config';
import { IDENTITY_ENTITIES, IDENTITY_MIGRATIONS } from './entities';

/** The service's schema on the validated database config (the module, migrate.js and tests use it). */
export function identityPersistence(db: IdentityConfig['db']) {
  return { url: db.url, poolSize: db.poolSize, entities: IDENTITY_ENTITIES, migrations: IDENTITY_MIGRATIONS };
}

export function identityDataSourceOptions(db: IdentityConfig['db']): DataSourceOptions {
  return dataSourceOptions(identityPersistence(db));
}
