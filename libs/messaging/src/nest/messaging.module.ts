import { Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { OutboxRelay, type OutboxRelayOptions } from '../outbox/outbox-relay';
import { OutboxWriter, type OutboxWriterOptions } from '../outbox/outbox-writer';

export interface MessagingModuleOptions {
  readonly outbox: OutboxWriterOptions;
  /** Run a relay in this process (started on bootstrap, stopped before shutdown); omit to run it elsewhere. */
  readonly relay?: OutboxRelayOptions;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/** Owns the relay's lifecycle inside a Nest application. Needs `app.enableShutdownHooks()`. */
export class OutboxRelayHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(readonly relay: OutboxRelay | undefined) {}

  onApplicationBootstrap(): void {
    this.relay?.start();
  }

  // Before shutdown, so the batch in flight finishes while Kafka and Postgres are still there.
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

/**
 * Thin Nest wiring: provides `OutboxWriter` for use cases and, when configured, runs the relay for
 * the application's lifetime. The classes work without Nest (tests, benchmarks, scripts).
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return MessagingModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;
    useFactory: (...args: never[]) => MessagingModuleOptions | Promise<MessagingModuleOptions>;
  }): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: OutboxWriter, useFactory: (o: MessagingModuleOptions) => new OutboxWriter(o.outbox), inject: [MESSAGING_OPTIONS] },
        {
          provide: OutboxRelayHost,
          useFactory: (o: MessagingModuleOptions) => new OutboxRelayHost(o.relay ? new OutboxRelay(o.relay) : undefined),
          inject: [MESSAGING_OPTIONS],
        },
      ],
      exports: [OutboxWriter, OutboxRelayHost],
    };
  }
}
