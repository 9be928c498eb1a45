import { assertTestDatabase, assertTestServer, createTestDatabase } from './database';

const noEnv: NodeJS.ProcessEnv = {};

describe('test database safety rails', () => {
  it('refuses a database on another machine, even one named like a test database', () => {
    expect(() => assertTestDatabase('postgres://postgres@db.benhvien.vn:5432/lt_test_1', noEnv)).toThrow(
      /refusing to run tests against Postgres on "db\.benhvien\.vn": not this machine/,
    );
    expect(() => assertTestDatabase('postgres://postgres@10.0.0.12/lt_test_1', noEnv)).toThrow(/"10\.0\.0\.12"/);
  });

  it('sees a remote host smuggled in through the libpq host parameter', () => {
    expect(() => assertTestServer('postgres://postgres@localhost/postgres?host=db.benhvien.vn', noEnv)).toThrow(/db\.benhvien\.vn/);
  });

  it('refuses a local database whose name does not say it is a test database', () => {
    for (const name of ['postgres', 'lt_identity', 'latest', 'contest_db']) {
      expect(() => assertTestDatabase(`postgres://postgres@127.0.0.1:5432/${name}`, noEnv)).toThrow(
        `refusing to run tests against database "${name}"`,
      );
    }
  });

  it('accepts a test database on this machine, by name, address or socket', () => {
    for (const url of [
      'postgres://postgres@127.0.0.1:5432/identity_test_abc_1',
      'postgres://postgres@localhost/lt-test',
      'postgres://postgres@[::1]:5432/test',
      'postgres:///lt_test_2?host=/var/run/postgresql',
    ]) {
      expect(() => assertTestDatabase(url, noEnv)).not.toThrow();
    }
  });

  it('accepts another server only when it is named in TEST_POSTGRES_ALLOWED_HOSTS', () => {
    const env = { TEST_POSTGRES_ALLOWED_HOSTS: 'postgres, docker-host.internal' };
    expect(() => assertTestDatabase('postgres://postgres@postgres:5432/lt_test_1', env)).not.toThrow();
    expect(() => assertTestDatabase('postgres://postgres@Docker-Host.internal/lt_test_1', env)).not.toThrow();
    expect(() => assertTestDatabase('postgres://postgres@db.benhvien.vn/lt_test_1', env)).toThrow(/not this machine/);
  });

  describe('createTestDatabase', () => {
    const saved = process.env['TEST_POSTGRES_ADMIN_URL'];
    afterEach(() => {
      if (saved === undefined) delete process.env['TEST_POSTGRES_ADMIN_URL'];
      else process.env['TEST_POSTGRES_ADMIN_URL'] = saved;
    });

    it('refuses, before connecting, an admin URL from the environment that points at another machine', async () => {
      // .invalid never resolves: a connection attempt would fail with ENOTFOUND instead of this refusal.
      process.env['TEST_POSTGRES_ADMIN_URL'] = 'postgres://postgres@db.benhvien.invalid:5432/postgres';
      await expect(createTestDatabase('identity')).rejects.toThrow(/"db\.benhvien\.invalid": not this machine/);
    });
  });
});
