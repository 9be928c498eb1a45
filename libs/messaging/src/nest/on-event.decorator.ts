import { type CloudEvent, type EventData, type EventDefinition, type TraceHeaders } from '@lienthong/contracts';
import { applyDecorators, Catch, type ExceptionFilter, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { type Observable, throwError } from 'rxjs';

/** The transport id `@OnEvent` handlers are bound to (other transports in the app ignore them). */
export const INBOX_TRANSPORT = Symbol('lienthong.inbox');

/** Key of the contract definition in a handler's pattern extras. */
export const INBOX_DEFINITION = 'lienthong.inbox.definition';

/** What an `@OnEvent(Definition)` handler receives with `@Payload()`: the CloudEvent, data validated. */
export type InboxEvent<D extends EventDefinition> = CloudEvent<EventData<D>> & TraceHeaders;

/**
 * Hands the handler's error to the inbox transport unchanged. Nest's default RPC filter would log it
 * and replace it with `{ status: 'error', message: 'Internal server error' }`, and the inbox needs the
 * original to choose between a retry and a DLQ reason (a domain error's code).
 */
@Catch()
export class InboxErrorFilter implements ExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * `@OnEvent(PatientRegisteredV1)`: handles one contract's events from the inbox transport. The
 * payload is validated against the definition's schema before the method runs (an invalid one goes to
 * `<topic>.dlq` with reason `schema`); the method runs inside the inbox transaction (`@Ctx()
 * ctx: InboxContext`, `ctx.tx`), once per event id.
 */
export function OnEvent(definition: EventDefinition): MethodDecorator {
  return applyDecorators(EventPattern(definition.type, INBOX_TRANSPORT, { [INBOX_DEFINITION]: definition }), UseFilters(InboxErrorFilter));
}
