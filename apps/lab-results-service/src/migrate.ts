/**
 * Applies pending schema migrations, once per deploy, then exits:
 *   node dist/apps/lab-results-service/migrate.js
 * Run by `npm start`, the compose `lab-results-service-migrate` one-shot and the Kubernetes migration Job —
 * never by every replica at start (two replicas migrating at once race).
 */
import 'reflect-metadata';
import { migrateService } from '@lienthong/persistence';
import { exitOnBootFailure } from '@lienthong/platform';
import { labResultsConfig } from './config/lab-results.config';
import { labResultsPersistenceOptions } from './persistence/data-source';

async function migrate(): Promise<void> {
  const config = labResultsConfig.load();
  await migrateService(config.service.name, labResultsPersistenceOptions(config));
}

migrate().catch(exitOnBootFailure);
