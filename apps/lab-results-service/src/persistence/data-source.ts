import { type PersistenceOptions } from '@lienthong/persistence';
import { type LabResultsConfig } from '../config/lab-results.config';
import { LAB_RESULTS_ENTITIES, LAB_RESULTS_MIGRATIONS } from './entities';

/** The schema and pool from validated config: the module, migrate.ts and the tests all build from this. */
export function labResultsPersistenceOptions(config: LabResultsConfig): PersistenceOptions {
  // The whole validated `db` group: pool size and the bounded waits (connect, statement, idle in transaction).
  return { ...config.db, entities: LAB_RESULTS_ENTITIES, migrations: LAB_RESULTS_MIGRATIONS };
}
