import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, env } from './config';
import { defineServiceConfig } from './service-config';

const publicKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

const definition = defineServiceConfig({
  name: 'demo-service',
  port: 3009,
  database: 'lt_demo',
  extend: {
    demo: {
      apiKey: env('DEMO_API_KEY', z.string().min(8), { secret: true }),
      batchSize: env('DEMO_BATCH_SIZE', z.coerce.number().int().positive().default(100)),
    },
  },
});

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('defineServiceConfig', () => {
  it('fills local-development defaults into a typed, grouped object', () => {
    const config = definition.load({ AUTH_PUBLIC_KEY: publicKeyPem, DEMO_API_KEY: 'k'.repeat(10) });
    expect(config.service).toEqual({ name: 'demo-service', host: '0.0.0.0', port: 3009, shutdownTimeoutMs: 25_000, environment: 'development' });
    expect(config.db.url).toBe('postgres://lt_demo@127.0.0.1:5432/lt_demo');
    expect(config.kafka).toEqual({ brokers: ['127.0.0.1:9092'], clientId: 'demo-service' });
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.otel.enabled).toBe(false);
    expect(config.log.level).toBe('info');
    expect(config.demo.batchSize).toBe(100);
  });

  it('parses and coerces values from the environment', () => {
    const config = definition.load({
      AUTH_PUBLIC_KEY: publicKeyPem,
      DEMO_API_KEY: 'k'.repeat(10),
      PORT: '8080',
      KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092',
      OTEL_ENABLED: 'true',
      DEMO_BATCH_SIZE: '7',
    });
    expect(config.service.port).toBe(8080);
    expect(config.kafka.brokers).toEqual(['kafka-0:9092', 'kafka-1:9092']);
    expect(config.otel.enabled).toBe(true);
    expect(config.demo.batchSize).toBe(7);
  });

  it('names every bad or missing variable in one error', () => {
    const error = errorOf(() =>
      definition.load({
        AUTH_PUBLIC_KEY: publicKeyPem,
        PORT: '70000',
        KAFKA_BROKERS: 'no-port',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x@y/z',
      }),
    );
    expect(error.issues.map((i) => i.variable).sort()).toEqual(['DATABASE_URL', 'DEMO_API_KEY', 'KAFKA_BROKERS', 'LOG_LEVEL', 'PORT']);
    expect(error.message).toContain('PORT: ');
    expect(error.message).toContain('(got "70000")');
    expect(error.message).toMatch(/DEMO_API_KEY: is required but not set/);
  });

  it('bounds every wait on the database by default, and takes the timeouts from the environment', () => {
    expect(definition.load({ AUTH_PUBLIC_KEY: publicKeyPem, DEMO_API_KEY: 'k'.repeat(10) }).db).toMatchObject({
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 5_000,
      idleInTransactionTimeoutMs: 10_000,
    });
    const config = definition.load({
      AUTH_PUBLIC_KEY: publicKeyPem,
      DEMO_API_KEY: 'k'.repeat(10),
      DB_CONNECT_TIMEOUT_MS: '1500',
      DB_STATEMENT_TIMEOUT_MS: '2500',
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '4000',
    });
    expect(config.db).toMatchObject({ connectTimeoutMs: 1_500, statementTimeoutMs: 2_500, idleInTransactionTimeoutMs: 4_000 });
    const error = errorOf(() =>
      definition.load({ AUTH_PUBLIC_KEY: publicKeyPem, DEMO_API_KEY: 'k'.repeat(10), DB_CONNECT_TIMEOUT_MS: '0', DB_STATEMENT_TIMEOUT_MS: 'soon' }),
    );
    expect(error.issues.map((i) => i.variable).sort()).toEqual(['DB_CONNECT_TIMEOUT_MS', 'DB_STATEMENT_TIMEOUT_MS']);
  });

  it('treats an empty string as unset', () => {
    const error = errorOf(() => definition.load({ AUTH_PUBLIC_KEY: publicKeyPem, DEMO_API_KEY: '  ' }));
    expect(error.issues).toEqual([{ variable: 'DEMO_API_KEY', message: 'is required but not set' }]);
  });

  it('never echoes a secret value in the error', () => {
    const error = errorOf(() => definition.load({ AUTH_PUBLIC_KEY: publicKeyPem, DEMO_API_KEY: 'short' }));
    expect(error.message).toContain('DEMO_API_KEY');
    expect(error.message).not.toContain('short');
  });

  it('redacts secrets and URL passwords in the dump', () => {
    const config = definition.load({
      AUTH_PUBLIC_KEY: publicKeyPem,
      DEMO_API_KEY: 'super-secret-key',
      DATABASE_URL: 'postgres://lt_demo:hunter2@db:5432/lt_demo',
      REDIS_URL: 'redis://:redispass@cache:6379',
    });
    const dump = JSON.stringify(definition.redact(config));
    expect(dump).not.toContain('super-secret-key');
    expect(dump).not.toContain('hunter2');
    expect(dump).not.toContain('redispass');
    expect(dump).toContain('postgres://lt_demo:***@db:5432/lt_demo');
    expect(dump).not.toContain('BEGIN PUBLIC KEY');
    expect(dump).toMatch(/"publicKey":"sha256:[0-9a-f]{16}"/);
  });

  describe('auth key source', () => {
    it('reads AUTH_PUBLIC_KEY_FILE at load time', () => {
      const dir = mkdtempSync(join(tmpdir(), 'lt-config-'));
      const file = join(dir, 'public.pem');
      writeFileSync(file, publicKeyPem);
      const config = definition.load({ AUTH_PUBLIC_KEY_FILE: file, DEMO_API_KEY: 'k'.repeat(10) });
      expect(config.auth.publicKey).toBe(publicKeyPem);
    });

    it('fails on an unreadable key file, naming the variable', () => {
      const error = errorOf(() => definition.load({ AUTH_PUBLIC_KEY_FILE: '/nonexistent/key.pem', DEMO_API_KEY: 'k'.repeat(10) }));
      expect(error.issues).toEqual([expect.objectContaining({ variable: 'AUTH_PUBLIC_KEY_FILE' })]);
    });

    it('refuses two sources at once', () => {
      const error = errorOf(() =>
        definition.load({ AUTH_PUBLIC_KEY: publicKeyPem, AUTH_JWKS_URL: 'https://idp.example/jwks', DEMO_API_KEY: 'k'.repeat(10) }),
      );
      expect(error.issues[0]?.variable).toBe('AUTH_PUBLIC_KEY, AUTH_JWKS_URL');
    });

    it('requires an explicit source in production', () => {
      const error = errorOf(() => definition.load({ NODE_ENV: 'production', DEMO_API_KEY: 'k'.repeat(10) }));
      expect(error.issues[0]?.message).toMatch(/required in production/);
    });

    it('accepts a JWKS URL alone', () => {
      const config = definition.load({ AUTH_JWKS_URL: 'https://idp.example/jwks', DEMO_API_KEY: 'k'.repeat(10) });
      expect(config.auth.jwksUrl).toBe('https://idp.example/jwks');
      expect(config.auth.publicKey).toBeUndefined();
    });
  });
});
