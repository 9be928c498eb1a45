import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Actor as PlatformActor } from '@lienthong/platform';
import { type Actor } from '../domain/actor';
import { toActor } from './actor';

const ACTOR_KEY = Symbol.for('lienthong.actor');

/** The authenticated caller as a use-case Actor (with the request id for the audit trail). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<{ id?: unknown } & Record<symbol, PlatformActor | undefined>>();
  const actor = request[ACTOR_KEY];
  if (!actor) throw new Error('@Caller() used on a route without authentication');
  return toActor(actor, request.id === undefined ? null : String(request.id));
});
