/**
 * Applies pending schema migrations, once per deploy, then exits:
 *   node dist/apps/identity-service/migrate.js
 * Run by `npm start`, the compose `identity-migrate` one-shot and the Kubernetes migration Job —
 * never by every replica at start (two replicas migrating at once race).
 */
import 'reflect-metadata';
import { migrateService } from '@lienthong/persistence';
import { exitOnBootFailure } from '@lienthong/platform';
import { identityConfig } from './config/identity.config';
import { identityPersistence } from './persistence/data-source';

async function migrate(): Promise<void> {
  const config = identityConfig.load();
  await migrateService(config.service.name, identityPersistence(config.db));
}

migrate().catch(exitOnBootFailure);
