import { HealthService } from '@lienthong/platform';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { InboxTransport, type InboxTransportOptions } from './inbox.transport';

export const INBOX_TRANSPORT_OPTIONS = Symbol('INBOX_TRANSPORT_OPTIONS');

/**
 * Provides the app's `InboxTransport` from validated config (group id, Kafka, the DataSource the
 * inbox table lives in) and, inside a platform service, adds its consumer to `/health/ready`. Start
 * it with `bootstrapService(Module, { transports: [InboxTransport] })` or `app.connectMicroservice`.
 */
@Module({})
export class InboxTransportModule {
  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;
    useFactory: (...args: never[]) => InboxTransportOptions | Promise<InboxTransportOptions>;
  }): DynamicModule {
    return {
      module: InboxTransportModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: INBOX_TRANSPORT_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: InboxTransport,
          inject: [INBOX_TRANSPORT_OPTIONS, { token: HealthService, optional: true }],
          useFactory: (transportOptions: InboxTransportOptions, health: HealthService | undefined) => {
            const transport = new InboxTransport(transportOptions);
            health?.register(transport.healthCheck());
            return transport;
          },
        },
      ],
      exports: [InboxTransport],
    };
  }
}
