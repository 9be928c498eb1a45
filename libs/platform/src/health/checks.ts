import { once } from 'node:events';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Pool } from 'pg';
import { createClient } from 'redis';
import { cachedCheck, withTimeout, type HealthCheck } from './health-check';

const DEFAULT_TIMEOUT_MS = 2_000;

/** Anything with `query` — a pg Pool or a TypeORM DataSource. */
export interface Queryable {
  query(sql: string): Promise<unknown>;
}

/** `SELECT 1` through the app's own pool/DataSource, or through a one-connection pool of its own. */
export function postgresHealthCheck(
  target: { readonly url: string } | { readonly queryable: Queryable },
  timeoutMs = DEFAULT_TIMEOUT_MS,
): HealthCheck {
  let pool: Pool | undefined;
  let queryable: Queryable;
  if ('url' in target) {
    pool = new Pool({
      connectionString: target.url,
      max: 1,
      connectionTimeoutMillis: timeoutMs,
      // A silent peer must fail the probe AND free the pool's one connection: a query the client gave
      // up on is released with its error, which destroys the connection. With only the race below, the
      // connection would stay checked out for good and every later probe — even once the database is
      // back — would time out waiting for it.
      query_timeout: timeoutMs,
      keepAlive: true,
      idleTimeoutMillis: 30_000,
      application_name: 'health',
    });
    // An idle connection dropped by the server must not crash the process; the next probe reconnects.
    pool.on('error', () => undefined);
    queryable = pool;
  } else {
    queryable = target.queryable;
  }
  return {
    name: 'postgres',
    async check() {
      await withTimeout(queryable.query('SELECT 1'), timeoutMs, 'SELECT 1');
    },
    async close() {
      await pool?.end();
    },
  };
}

/** Kafka admin `describeCluster`, cached for a few seconds (metadata calls are not free for the broker). */
export function kafkaHealthCheck(
  options: { readonly brokers: readonly string[]; readonly clientId: string },
  { timeoutMs = DEFAULT_TIMEOUT_MS, cacheMs = 5_000 } = {},
): HealthCheck {
  const kafka = new Kafka({
    clientId: `${options.clientId}-health`,
    brokers: [...options.brokers],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  let admin: Admin | undefined;
  const probe: HealthCheck = {
    name: 'kafka',
    async check() {
      try {
        admin ??= kafka.admin();
        await withTimeout(
          (async () => {
            await admin.connect();
            const cluster = await admin.describeCluster();
            if (cluster.brokers.length === 0) throw new Error('no brokers in cluster metadata');
          })(),
          timeoutMs,
          'describeCluster',
        );
      } catch (error) {
        // Start clean next time: a half-open admin client may never recover by itself.
        const stale = admin;
        admin = undefined;
        await stale?.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async close() {
      await admin?.disconnect();
    },
  };
  return cachedCheck(probe, cacheMs);
}

/** Redis `PING` on a client of its own that reconnects in the background. */
export function redisHealthCheck(options: { readonly url: string }, timeoutMs = DEFAULT_TIMEOUT_MS): HealthCheck {
  let lastError: string | undefined;
  const client = createClient({
    url: options.url,
    // Fail commands at once while disconnected instead of queueing them until the probe times out.
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000) },
  });
  client.on('error', (error: unknown) => {
    lastError = error instanceof Error ? (error as Error & { code?: string }).code ?? error.message : String(error);
  });
  client.on('ready', () => {
    lastError = undefined;
  });
  let connecting: Promise<unknown> | undefined;
  return {
    name: 'redis',
    async check() {
      connecting ??= client.connect().catch(() => undefined);
      if (!client.isReady) {
        // Just started or reconnecting: wait (briefly) for the connection rather than fail the first probe.
        await withTimeout(once(client, 'ready'), timeoutMs, 'connect').catch((error: unknown) => {
          const reason = lastError ?? (error instanceof Error ? error.message : String(error));
          throw new Error(`not connected (${reason})`);
        });
      }
      const reply = await withTimeout(client.ping(), timeoutMs, 'PING');
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${String(reply)}`);
    },
    async close() {
      if (client.isOpen) await client.close().catch(() => client.destroy());
      else client.destroy();
    },
  };
}
