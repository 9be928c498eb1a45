/**
 * Applies pending schema migrations, once per deploy, then exits:
 *   node dist/apps/consent-service/migrate.js
 * Run by `npm start`, the compose `consent-service-migrate` one-shot and the Kubernetes migration Job —
 * never by every replica at start (two replicas migrating at once race).
 */
import 'reflect-metadata';
import { migrateService } from '@lienthong/persistence';
import { exitOnBootFailure } from '@lienthong/platform';
import { consentConfig } from './config/consent.config';
import { consentPersistenceOptions } from './persistence/data-source';

async function migrate(): Promise<void> {
  const config = consentConfig.load();
  await migrateService(config.service.name, consentPersistenceOptions(config));
}

migrate().catch(exitOnBootFailure);
