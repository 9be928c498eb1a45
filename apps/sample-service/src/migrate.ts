/**
 * Applies pending schema migrations, once per deploy, then exits:
 *   node dist/apps/sample-service/migrate.js
 * Never by every replica at start (two replicas migrating at once race).
 */
import 'reflect-metadata';
import { dataSourceOptions } from '@lienthong/persistence';
import { exitOnBootFailure } from '@lienthong/platform';
import { DataSource } from 'typeorm';
import { sampleConfig } from './config/sample.config';
import { samplePersistenceOptions } from './persistence/data-source';

async function migrate(): Promise<void> {
  const config = sampleConfig.load();
  const dataSource = new DataSource(dataSourceOptions(samplePersistenceOptions(config)));
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
