/**
 * Where the real infrastructure for integration and end-to-end tests lives.
 *
 * Default: the servers started by `npm run infra:up` (or already on the machine) at the addresses in
 * the environment. With TEST_INFRA=testcontainers (and a Docker engine) the Jest global set-up
 * starts Kafka, Postgres and Redis containers once per run and exports their addresses here.
 */
export interface TestInfra {
  /** Admin connection used to create and drop per-suite test databases. */
  readonly postgresAdminUrl: string;
  readonly kafkaBrokers: string[];
  readonly redisUrl: string;
}

export function testInfra(): TestInfra {
  return {
    postgresAdminUrl: process.env['TEST_POSTGRES_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  };
}

/** One id per test process, so topics, groups, databases and Redis keys never collide across runs. */
export const RUN_ID = `${Date.now().toString(36)}${process.pid.toString(36)}`;

let counter = 0;
/** A name unique to this run: `<prefix>-<run>-<n>`, safe for topics, consumer groups and schemas. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${RUN_ID}-${counter}`;
}
