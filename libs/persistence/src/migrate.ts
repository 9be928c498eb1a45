import { DataSource } from 'typeorm';
import { dataSourceOptions, type PersistenceOptions } from './persistence.module';

/**
 * Applies a service's pending migrations, each in its own transaction, and closes the connection;
 * returns the names applied. `migrate.js` of every service runs it once per deploy (a compose one-shot,
 * a Kubernetes Job, `npm start`) — never every replica at start (two replicas migrating at once race).
 */
export async function applyMigrations(options: PersistenceOptions): Promise<string[]> {
  // No statement timeout: a migration may legitimately build an index for minutes. Connecting stays bounded.
  const dataSource = new DataSource(dataSourceOptions({ ...options, statementTimeoutMs: 0 }));
  await dataSource.initialize();
  try {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** `applyMigrations`, then one JSON log line naming what was applied (what `migrate.js` prints). */
export async function migrateService(service: string, options: PersistenceOptions): Promise<void> {
  const migrations = await applyMigrations(options);
  process.stdout.write(`${JSON.stringify({ level: 'info', service, msg: 'migrations applied', migrations })}\n`);
}
