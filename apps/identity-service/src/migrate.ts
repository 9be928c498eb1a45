/**
 * Applies pending schema migrations, once per deploy, then exits:
 *   node dist/apps/identity-service/migrate.js
 * Run by `npm start`, the compose `identity-migrate` one-shot and the Kubernetes migration Job —
 * never by every replica at start (two replicas migrating at once race).
 */
import 'reflect-metadata';
import { exitOnBootFailure } from '@lienthong/platform';
import { DataSource } from 'typeorm';
import { identityConfig } from './config/identity.config';
import { identityDataSourceOptions } from './persistence/data-source';

async function migrate(): Promise<void> {
  const config = identityConfig.load();
  const dataSource = new DataSource(identityDataSourceOptions(config.db));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    process.stdout.write(
      `${JSON.stringify({ level: 'info', service: config.service.name, msg: 'migrations applied', migrations: applied.map((m) => m.name) })}\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

migrate().catch(exitOnBootFailure);
