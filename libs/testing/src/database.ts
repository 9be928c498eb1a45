import { Client } from 'pg';
import { testInfra, uniqueName } from './infra';

/**
 * Tests create, migrate, truncate and drop databases. The server comes from the environment
 * (TEST_POSTGRES_ADMIN_URL, or a DATABASE_URL a test hands on), so a stale shell variable could point
 * them at a hospital's data: only a server on this machine is accepted, or one named on purpose in
 * TEST_POSTGRES_ALLOWED_HOSTS (comma-separated; e.g. a CI service container or a remote Docker host).
 */
export function assertTestServer(url: string, env: NodeJS.ProcessEnv = process.env): void {
  const parsed = new URL(url);
  // libpq lets `?host=` override the authority; a path there is a Unix socket, which is local.
  const hosts = [parsed.hostname, ...parsed.searchParams.getAll('host')].filter((h) => h !== '' && !h.startsWith('/'));
  const allowed = (env['TEST_POSTGRES_ALLOWED_HOSTS'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  const remote = hosts.filter((h) => !isLoopback(h) && !allowed.includes(h.toLowerCase()));
  if (remote.length > 0) {
    throw new Error(
      `refusing to run tests against Postgres on "${remote.join('", "')}": not this machine. ` +
        'List the host in TEST_POSTGRES_ALLOWED_HOSTS if it really is a throwaway test server.',
    );
  }
}

/**
 * Refuses anything that does not look like a throwaway test database on a test server: the name
 * must contain "test" as a word (`lt_test_…`, `identity-test`), so `postgres`, `lt_identity` or
 * `latest` are refused.
 */
export function assertTestDatabase(url: string, env: NodeJS.ProcessEnv = process.env): void {
  assertTestServer(url, env);
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/(^|[^a-z0-9])test([^a-z0-9]|$)/i.test(name)) {
    throw new Error(`refusing to run tests against database "${name}": its name must contain "test" as a word`);
  }
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '[::1]' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a fresh, empty database for one test suite; `drop()` removes it (and its connections). */
/** Runs `fn` with a client on this run's Postgres as its administrator (CREATE / DROP DATABASE), then closes it. */
export async function withPostgresAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testInfra().postgresAdminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(prefix = 'lt'): Promise<TestDatabase> {
  const { postgresAdminUrl } = testInfra();
  const name = uniqueName(`${prefix}_test`).replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  // Before any connection: the server comes from the environment, and this URL is what the code
  // under test will migrate and truncate.
  assertTestDatabase(url.toString());
  await withPostgresAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: url.toString(),
    async drop() {
      await withPostgresAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
