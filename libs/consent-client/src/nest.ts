import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ConsentClient, type ConsentClientOptions } from './consent-client';

/** Stops the client's breaker timers at shutdown. Needs `app.enableShutdownHooks()`. */
@Injectable()
export class ConsentClientHost implements OnApplicationShutdown {
  constructor(@Inject(ConsentClient) private readonly client: ConsentClient) {}

  onApplicationShutdown(): void {
    this.client.close();
  }
}

/**
 * Thin Nest wiring (`@lienthong/consent-client/nest`): provides `ConsentClient` to every module. The
 * client itself has no Nest in it and works in scripts and tests as it is.
 *
 * ```ts
 * ConsentClientModule.forRootAsync({
 *   inject: [LAB_CONFIG, ServiceTokens],
 *   useFactory: (config: LabConfig, tokens: ServiceTokens) => ({ baseUrl: config.consent.url, token: () => tokens.get() }),
 * })
 * ```
 */
@Module({})
export class ConsentClientModule {
  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;
    useFactory: (...args: never[]) => ConsentClientOptions | Promise<ConsentClientOptions>;
  }): DynamicModule {
    return {
      module: ConsentClientModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: ConsentClient, useFactory: async (...args: never[]) => new ConsentClient(await options.useFactory(...args)), inject: options.inject ?? [] },
        ConsentClientHost,
      ],
      exports: [ConsentClient],
    };
  }
}
