import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiHeader, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ACT_FOR_SCOPE, ActorRefusal, type Actor } from './actor';
import { isRequirableScope } from './scopes';

export const IS_PUBLIC = 'lienthong:public';
export const REQUIRED_SCOPES = 'lienthong:required-scopes';
export const REQUIRES_FACILITY = 'lienthong:requires-facility';

/** No token needed (health, metrics, docs). Everything else requires a valid bearer token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Every listed scope must be granted (SMART semantics: `system/Patient.rs` grants `system/Patient.r`;
 * `lienthong/…` platform scopes must be granted verbatim).
 * On a class and a method, both lists apply.
 */
export function RequireScopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  for (const scope of scopes) {
    // Fail at start-up, not on the first request, for a typo such as `system/Patient.read.`.
    if (!isRequirableScope(scope)) throw new Error(`@RequireScopes: neither a SMART resource scope nor a lienthong/… scope: ${scope}`);
  }
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No or invalid bearer token (problem+json).' }),
    ApiForbiddenResponse({ description: `Token lacks scope ${scopes.join(' ')} (problem+json).` }),
  );
}

/**
 * The route speaks for a facility (registers a patient there, reads as it): the caller must be a
 * facility's system, or a service acting for one. A person, or a service naming no facility, gets a
 * 403 with `reason: facility-required`. Read which facility with `actingFacility(actor)`.
 */
export function RequireFacility(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRES_FACILITY, true),
    ApiBearerAuth(),
    ApiHeader({
      name: 'X-Act-For-Facility',
      required: false,
      description:
        `Service tokens holding ${ACT_FOR_SCOPE} only: the facility code (MA_CSKCB) this call speaks for. ` +
        `Without a facility (its own or this one) the request is refused 403, reason ${ActorRefusal.FacilityRequired}.`,
    }),
  );
}

export const ACTOR_KEY = Symbol.for('lienthong.actor');

export interface RequestWithActor {
  [ACTOR_KEY]?: Actor;
}

/** The authenticated caller. Only on routes that are not @Public(). */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<RequestWithActor>();
  const actor = request[ACTOR_KEY];
  if (!actor) throw new Error('@CurrentActor() used on a route without authentication (is it @Public()?)');
  return actor;
});
