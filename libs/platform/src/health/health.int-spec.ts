import { createTestIssuer, freePort, testInfra } from '@lienthong/testing';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createService } from '../bootstrap/create-service';
import type { Dependency } from '../bootstrap/platform.module';
import { defineServiceConfig } from '../config/service-config';
import { HealthService, type ReadinessReport } from './health.service';

@Module({})
class EmptyModule {}


describe('readiness against real Postgres, Kafka and Redis', () => {
  const infra = testInfra();
  const issuer = createTestIssuer();
  const apps: NestFastifyApplication[] = [];

  async function start(overrides: Record<string, string> = {}, readiness: Dependency[] = ['postgres', 'kafka', 'redis']) {
    const { app } = await createService(EmptyModule, {
      config: defineServiceConfig({ name: 'health-test', port: 0 }),
      readiness,
      env: {
        DATABASE_URL: infra.postgresAdminUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        REDIS_URL: infra.redisUrl,
        AUTH_PUBLIC_KEY: issuer.publicKeyPem,
        LOG_LEVEL: 'silent',
        ...overrides,
      },
      logDestination: { write: () => undefined },
    });
    apps.push(app);
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }

  async function ready(app: NestFastifyApplication) {
    const response = await app.inject({ url: '/health/ready' });
    return { status: response.statusCode, body: response.json<ReadinessReport>() };
  }

  afterAll(async () => {
    // app.close() runs onApplicationShutdown, which closes each check's connections: a leak would
    // keep Jest from exiting.
    for (const app of apps) await app.close();
  });

  it('is 200 with every check up when all dependencies answer', async () => {
    const app = await start();
    const { status, body } = await ready(app);
    expect(body).toEqual({
      status: 'ok',
      checks: {
        postgres: { status: 'up', durationMs: expect.any(Number) },
        kafka: { status: 'up', durationMs: expect.any(Number) },
        redis: { status: 'up', durationMs: expect.any(Number) },
      },
    });
    expect(status).toBe(200);
    // Liveness never depends on them.
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200);
  });

  it('is 503 naming redis when Redis is down, the others still up', async () => {
    const app = await start({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const { status, body } = await ready(app);
    expect(status).toBe(503);
    expect(body.status).toBe('error');
    expect(body.checks['redis']).toMatchObject({ status: 'down', error: expect.stringMatching(/not connected/) });
    expect(body.checks['postgres']?.status).toBe('up');
    expect(body.checks['kafka']?.status).toBe('up');
  });

  it('is 503 naming kafka when no broker answers, within the probe timeout', async () => {
    const app = await start({ KAFKA_BROKERS: `127.0.0.1:${await freePort()}` }, ['kafka', 'postgres']);
    const started = Date.now();
    const { status, body } = await ready(app);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(status).toBe(503);
    expect(body.checks['kafka']?.status).toBe('down');
    expect(body.checks['postgres']?.status).toBe('up');
  });

  it('is 503 naming postgres when the database does not exist', async () => {
    const url = new URL(infra.postgresAdminUrl);
    url.pathname = '/lt_no_such_database_test';
    const app = await start({ DATABASE_URL: url.toString() }, ['postgres', 'redis']);
    const { status, body } = await ready(app);
    expect(status).toBe(503);
    expect(body.checks['postgres']).toMatchObject({ status: 'down', error: expect.stringMatching(/does not exist/) });
    expect(body.checks['redis']?.status).toBe('up');
  });

  it('turns 503 once shutting down, even with every dependency up', async () => {
    const app = await start({}, ['postgres']);
    expect((await ready(app)).status).toBe(200);
    app.get(HealthService).markShuttingDown();
    const { status, body } = await ready(app);
    expect(status).toBe(503);
    expect(body.status).toBe('shutting-down');
  });
});
