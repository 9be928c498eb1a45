import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { withTimeout, type HealthCheck } from './health-check';

export type CheckStatus = 'up' | 'down';

export interface ReadinessReport {
  readonly status: 'ok' | 'error' | 'shutting-down';
  readonly checks: Record<string, { status: CheckStatus; durationMs: number; error?: string }>;
}

/** Holds the readiness checks: the platform's (from `createService` options) plus any an app registers. */
@Injectable()
export class HealthService implements OnApplicationShutdown {
  private readonly logger = new Logger('Health');
  private readonly checks = new Map<string, HealthCheck>();
  private shuttingDown = false;

  /** e.g. an app's TypeORM DataSource: `health.register(postgresHealthCheck({ queryable: dataSource }))`. */
  register(check: HealthCheck): void {
    const previous = this.checks.get(check.name);
    if (previous?.close) void previous.close().catch(() => undefined);
    this.checks.set(check.name, check);
  }

  /** Readiness turns 503 from here on, so load balancers drain the instance. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async readiness(timeoutMs = 3_000): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks.values()].map(async (check) => {
        const started = performance.now();
        try {
          await withTimeout(check.check(), timeoutMs, check.name);
          return [check.name, { status: 'up' as const, durationMs: Math.round(performance.now() - started) }] as const;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [check.name, { status: 'down' as const, durationMs: Math.round(performance.now() - started), error: message }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const failing = entries.filter(([, r]) => r.status === 'down').map(([name]) => name);
    if (failing.length > 0) this.logger.warn({ failing }, 'readiness check failed');
    const status = this.shuttingDown ? 'shutting-down' : failing.length > 0 ? 'error' : 'ok';
    return { status, checks };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.checks.values()].map(async (c) => c.close?.().catch(() => undefined)));
  }
}
