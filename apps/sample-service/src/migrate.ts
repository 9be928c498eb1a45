/**
 * Applies pending schema migrations, once per deploy, then exits:
 *   node dist/apps/sample-service/migrate.js
 * Never by every replica at start (two replicas migrating at once race).
 */
import 'reflect-metadata';
import { migrateService } from '@lienthong/persistence';
import { exitOnBootFailure } from '@lienthong/platform';
import { sampleConfig } from './config/sample.config';
import { samplePersistenceOptions } from './persistence/data-source';

async function migrate(): Promise<void> {
  const config = sampleConfig.load();
  await migrateService(config.service.name, samplePersistenceOptions(config));
}

migrate().catch(exitOnBootFailure);
