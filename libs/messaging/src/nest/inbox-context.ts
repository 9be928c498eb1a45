import { BaseRpcContext } from '@nestjs/microservices';
import { type Context } from '@opentelemetry/api';
import { type IHeaders } from 'kafkajs';
import { type EntityManager } from 'typeorm';
import { type InboxMessageContext } from '../inbox/inbox-consumer';
import { queuedTx, type FlushableTx } from '@lienthong/persistence';

/**
 * What an `@OnEvent` handler gets with `@Ctx()`: the inbox transaction and where the message came
 * from. Effects written through `tx` (or `manager`) commit together with the inbox row, or not at all.
 */
export class InboxContext extends BaseRpcContext<[InboxMessageContext]> {
  /** The inbox transaction as the unit-of-work handle use cases and ports take. */
  readonly tx: FlushableTx;

  constructor(message: InboxMessageContext) {
    super([message]);
    this.tx = queuedTx(message.manager);
  }

  private get message(): InboxMessageContext {
    return this.args[0];
  }

  /** The same transaction as TypeORM sees it; prefer `tx` (ports take a `Tx`). */
  get manager(): EntityManager {
    return this.message.manager;
  }

  get topic(): string {
    return this.message.topic;
  }

  get partition(): number {
    return this.message.partition;
  }

  get offset(): string {
    return this.message.offset;
  }

  get key(): string | null {
    return this.message.key;
  }

  get headers(): IHeaders {
    return this.message.headers;
  }

  /** 1 on first delivery, 2 on the first retry, … */
  get attempt(): number {
    return this.message.attempt;
  }

  /** The consumer span's context (child of the producer's trace from the headers). */
  get traceContext(): Context {
    return this.message.traceContext;
  }
}
