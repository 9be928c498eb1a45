import { type PersistenceOptions } from '@lienthong/persistence';
import { type SampleConfig } from '../config/sample.config';
import { SAMPLE_ENTITIES, SAMPLE_MIGRATIONS } from './entities';

/** The service's persistence from validated config (PersistenceModule and migrate.ts both use it). */
export function samplePersistenceOptions(config: SampleConfig): PersistenceOptions {
  return { url: config.db.url, poolSize: config.db.poolSize, entities: SAMPLE_ENTITIES, migrations: SAMPLE_MIGRATIONS };
}
