import { EventRegistry, type EventDefinition } from '@lienthong/contracts';
import { DomainError, type HealthCheck } from '@lienthong/platform';
import { type BeforeApplicationShutdown } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { InboxConsumer, type InboxConsumerOptions, type InboxMessageContext } from '../inbox/inbox-consumer';
import { InboxContext } from './inbox-context';
import { INBOX_DEFINITION, INBOX_TRANSPORT, type InboxEvent } from './on-event.decorator';

export interface InboxTransportOptions extends InboxConsumerOptions {
  /**
   * Contract definitions for handlers declared with a bare `@EventPattern(type)`; `@OnEvent(definition)`
   * carries its own. A pattern with no definition stops the start: nothing is consumed unvalidated.
   */
  readonly events?: readonly EventDefinition[];
}

/** The default `rejectionReason`: a platform DomainError is permanent, and its code is the DLQ reason. */
export function domainErrorReason(error: unknown): string | undefined {
  return error instanceof DomainError ? error.code : undefined;
}

/**
 * A Nest microservice transport over the platform's inbox: `@OnEvent` / `@EventPattern` methods become
 * InboxConsumer handlers, so they get everything the inbox does — contract validation before the
 * method, one Postgres transaction per event shared with the inbox row (duplicates skipped), bounded
 * retries with backoff, `<topic>.dlq` with `dlq-*` headers, W3C trace context, offsets committed only
 * after the outcome is durable.
 *
 *   app.connectMicroservice({ strategy: app.get(InboxTransport) });  // bootstrapService({ transports })
 *   await app.startAllMicroservices();
 *
 * A handler error is retried unless `rejectionReason` names it (default: platform DomainError → its
 * code), which dead-letters the event at once with that reason.
 */
export class InboxTransport extends Server implements CustomTransportStrategy, BeforeApplicationShutdown {
  override readonly transportId = INBOX_TRANSPORT;
  private consumer: InboxConsumer | undefined;

  constructor(private readonly options: InboxTransportOptions) {
    super();
  }

  /** Called by Nest's `startAllMicroservices()`, after the handlers are registered. */
  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Lets the event in flight finish, commits offsets, leaves the group. Safe to call twice. */
  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
  }

  // Stop consuming before Nest's shutdown hooks close the pools the handlers write with (Nest would
  // otherwise close microservices after the destroy hooks).
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Readiness: up while the consumer is a member of its group. */
  healthCheck(): HealthCheck {
    return {
      name: 'inbox',
      check: async () => {
        if (!this.consumer?.inGroup) throw new Error(`consumer group ${this.options.groupId} not joined`);
      },
    };
  }

  /** Status events are not emitted: readiness (`healthCheck`) and metrics report the consumer. */
  on(): void {
    return undefined;
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('the inbox transport is not listening');
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    if (this.consumer) throw new Error('the inbox transport is already listening');
    const registry = new EventRegistry(this.options.events ?? []);
    const consumer = new InboxConsumer({ rejectionReason: domainErrorReason, ...this.options });
    for (const [pattern, handler] of this.getHandlers()) {
      if (!handler.isEventHandler) throw new Error(`"${pattern}": the inbox transport delivers events (@OnEvent), not requests (@MessagePattern)`);
      const definition = definitionOf(handler) ?? registry.get(pattern);
      if (!definition) throw new Error(`"${pattern}": no contract definition; use @OnEvent(Definition) or list it in the transport's events`);
      consumer.on(definition, (event, message) => this.dispatch(handler, event, message));
    }
    if (consumer.topics.length === 0) {
      this.logger.warn('inbox transport: no @OnEvent handlers, nothing to consume');
      return;
    }
    await consumer.start();
    this.consumer = consumer;
  }

  private async dispatch(handler: MessageHandler, event: InboxEvent<EventDefinition>, message: InboxMessageContext): Promise<void> {
    const ctx = new InboxContext(message);
    // Several handlers of one pattern are chained by Nest (forkJoin): all run in this transaction.
    const result: unknown = await handler(event, ctx);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    await ctx.tx.flush();
  }
}

function definitionOf(handler: MessageHandler): EventDefinition | undefined {
  const definition: unknown = handler.extras?.[INBOX_DEFINITION];
  return definition === undefined ? undefined : (definition as EventDefinition);
}
