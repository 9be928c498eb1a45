import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard, JWT_VERIFIER } from '../auth/auth.guard';
import { JwtVerifier } from '../auth/jwt-verifier';
import type { ServiceConfig } from '../config/service-config';
import { ProblemFilter } from '../errors/problem.filter';
import { ZodValidationPipe } from '../errors/zod-validation.pipe';
import { kafkaHealthCheck, postgresHealthCheck, redisHealthCheck } from '../health/checks';
import type { HealthCheck } from '../health/health-check';
import { HealthController } from '../health/health.controller';
import { HealthService } from '../health/health.service';
import pino, { type DestinationStream } from 'pino';
import { pinoHttpOptions } from '../logging/logger';
import { scrubbingDestination } from '../logging/redaction';
import { MetricsController } from '../metrics/metrics.controller';
import { SERVICE_CONFIG } from './tokens';

/** Dependencies whose readiness the platform checks with connections of its own. */
export type Dependency = 'postgres' | 'kafka' | 'redis';

export interface PlatformModuleOptions {
  readonly config: ServiceConfig;
  readonly readiness?: readonly Dependency[];
  /** Where logs go (default stdout); always behind the identifier scrubber. */
  readonly logDestination?: DestinationStream;
}

function checkFor(dependency: Dependency, config: ServiceConfig): HealthCheck {
  switch (dependency) {
    case 'postgres':
      return postgresHealthCheck({ url: config.db.url });
    case 'kafka':
      return kafkaHealthCheck({ brokers: config.kafka.brokers, clientId: config.kafka.clientId });
    case 'redis':
      return redisHealthCheck({ url: config.redis.url });
  }
}

/**
 * Everything a service gets without asking: config, JSON logs, problem+json errors, zod validation,
 * the bearer-token guard, /health and /metrics. Global, so app modules inject from it directly.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformModuleOptions): DynamicModule {
    const { config } = options;
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: config },
      {
        provide: JWT_VERIFIER,
        useFactory: () =>
          new JwtVerifier({
            issuer: config.auth.issuer,
            audience: config.auth.audience,
            ...(config.auth.jwksUrl ? { jwksUrl: config.auth.jwksUrl } : {}),
            ...(config.auth.publicKey ? { publicKey: config.auth.publicKey } : {}),
          }),
      },
      {
        provide: HealthService,
        useFactory: () => {
          const health = new HealthService();
          for (const dependency of options.readiness ?? []) health.register(checkFor(dependency, config));
          return health;
        },
      },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_FILTER, useClass: ProblemFilter },
      { provide: APP_PIPE, useFactory: () => new ZodValidationPipe() },
    ];
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            pinoHttpOptions(config.service.name, config.log.level),
            // Scrubbed whatever the destination: tests capture exactly what production would write.
            scrubbingDestination(options.logDestination ?? pino.destination({ dest: 1, sync: true })),
          ],
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers,
      exports: [SERVICE_CONFIG, JWT_VERIFIER, HealthService],
    };
  }
}
