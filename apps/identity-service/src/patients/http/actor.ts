import { type Actor as PlatformActor } from '@lienthong/platform';
import { Scopes, type Actor } from '../domain/actor';

/** The verified token's caller, as the use cases see it. */
export function toActor(actor: PlatformActor, requestId: string | null): Actor {
  return {
    subject: actor.subject,
    facilityCode: actor.facilityCode === '' ? null : actor.facilityCode,
    purposeOfUse: actor.purposeOfUse,
    requestId,
    canCrossReference: actor.scopes.includes(Scopes.crossReference),
  };
}
