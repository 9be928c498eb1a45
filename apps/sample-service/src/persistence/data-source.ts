import { type PersistenceOptions } from '@lienthong/persistence';
import { type SampleConfig } from '../config/sample.config';
import { SAMPLE_ENTITIES, SAMPLE_MIGRATIONS } from './entities';

/** The service's persistence from validated config (PersistenceModule and migrate.ts both use it). */
export function samplePersistenceOptions(config: SampleConfig): PersistenceOptions {
  // The whole validated `db` group: pool size and the bounded waits (connect, statement, idle in transaction).
  return { ...config.db, entities: SAMPLE_ENTITIES, migrations: SAMPLE_MIGRATIONS };
}
