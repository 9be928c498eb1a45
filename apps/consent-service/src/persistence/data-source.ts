import { type PersistenceOptions } from '@lienthong/persistence';
import { type ConsentConfig } from '../config/consent.config';
import { CONSENT_ENTITIES, CONSENT_MIGRATIONS } from './entities';

/** The schema and pool from validated config: the module, migrate.ts and the tests all build from this. */
export function consentPersistenceOptions(config: ConsentConfig): PersistenceOptions {
  // The whole validated `db` group: pool size and the bounded waits (connect, statement, idle in transaction).
  return { ...config.db, entities: CONSENT_ENTITIES, migrations: CONSENT_MIGRATIONS };
}
