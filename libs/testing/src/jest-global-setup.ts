import { Socket } from 'node:net';
import { testInfra } from './infra';

/**
 * Jest global set-up for the int and e2e tiers (wired in jest.preset.cjs).
 * - TEST_INFRA=testcontainers: starts Kafka, Postgres and Redis in Docker once per run and exports
 *   their addresses to the test workers through the environment (workers inherit it).
 * - otherwise: checks that the local infrastructure answers, and fails at once with the fix if not,
 *   instead of every test timing out.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['TEST_INFRA'] === 'testcontainers') {
    await startContainers();
    return;
  }
  const infra = testInfra();
  const targets = [
    { name: 'kafka', url: `kafka://${infra.kafkaBrokers[0] ?? ''}` },
    { name: 'postgres', url: infra.postgresAdminUrl },
    { name: 'redis', url: infra.redisUrl },
  ];
  const down: string[] = [];
  for (const t of targets) {
    const u = new URL(t.url);
    if (!(await answers(u.hostname, Number(u.port)))) down.push(`${t.name} (${u.host})`);
  }
  if (down.length > 0) {
    throw new Error(`test infrastructure is not reachable: ${down.join(', ')}. Run \`npm run infra:up\` first.`);
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000);
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

async function startContainers(): Promise<void> {
  // Loaded lazily: machines without Docker never touch testcontainers.
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const [kafka, postgres, redis] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false' }).start(),
    new PostgreSqlContainer('postgres:16').withUsername('postgres').withPassword('postgres').withDatabase('postgres').start(),
    new RedisContainer('redis:7').start(),
  ]);
  process.env['KAFKA_BROKERS'] = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
  process.env['TEST_POSTGRES_ADMIN_URL'] = postgres.getConnectionUri();
  // A remote or Docker-in-Docker engine puts the container on another host: allow exactly that one.
  process.env['TEST_POSTGRES_ALLOWED_HOSTS'] = postgres.getHost();
  process.env['REDIS_URL'] = redis.getConnectionUrl();
  // Ryuk removes the containers when this process exits.
}
