import { Client } from 'pg';
import { testInfra, uniqueName } from './infra';

/** Refuses anything that does not look like a throwaway test database: tests drop and recreate tables. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/test/i.test(name)) {
    throw new Error(`refusing to run tests against database "${name}": its name must contain "test"`);
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a fresh, empty database for one test suite; `drop()` removes it (and its connections). */
export async function createTestDatabase(prefix = 'lt'): Promise<TestDatabase> {
  const { postgresAdminUrl } = testInfra();
  const name = uniqueName(`${prefix}_test`).replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const admin = new Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  assertTestDatabase(url.toString());
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: postgresAdminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
