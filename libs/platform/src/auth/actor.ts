// Framework-free on purpose: use cases import these types and helpers, and must not pull in Nest.
import { PURPOSES_OF_USE, type PurposeOfUse } from '@lienthong/vn-standards';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

/**
 * Why the data is being read (DESIGN.md: consent purposes). Travels with every read of patient data in
 * the `X-Purpose-Of-Use` header and lands in the audit record and the consent decision. The list is
 * vn-standards' (data protection vocabulary).
 */
export { PURPOSES_OF_USE, type PurposeOfUse };
export const DEFAULT_PURPOSE_OF_USE: PurposeOfUse = 'treatment';
export const PURPOSE_OF_USE_HEADER = 'x-purpose-of-use';

export function isPurposeOfUse(value: string): value is PurposeOfUse {
  return (PURPOSES_OF_USE as readonly string[]).includes(value);
}

/** The platform scope that lets a service token speak for a facility named per request. */
export const ACT_FOR_SCOPE = 'lienthong/act-for';
/** Names, per request, the facility a service token acts for (lower case: how Node presents headers). */
export const ACT_FOR_FACILITY_HEADER = 'x-act-for-facility';

/** A `service` claim: the name a service calls itself (`lab-results-service`), kebab-case so audit rows read well. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * People who read across facilities without being one. A closed list: a role the platform does not
 * know is refused at the token, not discovered later by a route that guessed at its meaning.
 */
export const PERSON_ROLES = ['ministry-analyst', 'provincial-analyst', 'data-steward'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export function isPersonRole(value: string): value is PersonRole {
  return (PERSON_ROLES as readonly string[]).includes(value);
}

/**
 * Whether a role's token carries a `province` claim. A provincial analyst sees one province, so it must
 * name it; a ministry analyst is national, so a province there is a mis-issued token; a data steward
 * may work for the Ministry (none) or a provincial health department (one).
 */
export function provinceClaimRule(role: PersonRole): 'required' | 'forbidden' | 'optional' {
  switch (role) {
    case 'provincial-analyst':
      return 'required';
    case 'ministry-analyst':
      return 'forbidden';
    case 'data-steward':
      return 'optional';
  }
}

export type ActorKind = 'facility' | 'service' | 'person';

interface ActorBase {
  /** `sub` claim: the client (system) or user the token was issued to. */
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly purposeOfUse: PurposeOfUse;
  /** `client_id` or `azp` claim when the issuer sends one. */
  readonly clientId?: string;
  /** The request's id (its `X-Request-Id`, or one generated), so an audit row leads to the request's logs. */
  readonly requestId?: string;
}

/** A hospital's own system (HIS/LIS) acting as itself. */
export interface FacilityActor extends ActorBase {
  readonly kind: 'facility';
  /** `facility` claim: the 5-character MA_CSKCB code the caller is. */
  readonly facilityCode: string;
}

/**
 * A Liên Thông service calling with its own credential (never a hospital's token, which it does not
 * keep: a retry hours later still has a valid credential). It speaks for a facility only on a call
 * that names one in `X-Act-For-Facility`, and only if its token holds `lienthong/act-for`.
 */
export interface ServiceActor extends ActorBase {
  readonly kind: 'service';
  /** `service` claim: the calling service's name, e.g. `lab-results-service`. */
  readonly service: string;
  /** The facility this request speaks for; absent when the service calls on its own account. */
  readonly actingForFacility?: string;
}

/** A Ministry or provincial analyst or a data steward: a person, never a facility. */
export interface PersonActor extends ActorBase {
  readonly kind: 'person';
  readonly role: PersonRole;
  /** 2-digit province code (PROVINCE_CODE_PATTERN) the person works for; see provinceClaimRule. */
  readonly province?: string;
}

/** Who is calling: taken from the verified token (and, for a service, the act-for header), never the body. */
export type Actor = FacilityActor | ServiceActor | PersonActor;

/** The one question most routes ask: which facility does this request speak for? */
export function actingFacility(actor: Actor): string | undefined {
  switch (actor.kind) {
    case 'facility':
      return actor.facilityCode;
    case 'service':
      return actor.actingForFacility;
    case 'person':
      return undefined;
  }
}

/**
 * Why the platform refused an actor, sent as the problem's `reason` member next to its `code`, so a
 * client can tell "this token can never do that" from "add a scope".
 */
export enum ActorRefusal {
  /** The route speaks for a facility and the caller names none (a person, or a service not acting for one). */
  FacilityRequired = 'facility-required',
  /** `X-Act-For-Facility` from a token without `lienthong/act-for`. */
  ActForNotGranted = 'act-for-not-granted',
  /** `X-Act-For-Facility` from a facility's token naming another facility, or from a person. */
  ActForNotAllowed = 'act-for-not-allowed',
}

/**
 * For a use case that cannot proceed without a facility: the facility code, or the same coded 403 the
 * `@RequireFacility()` guard sends, so HTTP, Kafka and CLI callers get one answer.
 */
export function requireActingFacility(actor: Actor): string {
  const facility = actingFacility(actor);
  if (facility !== undefined) return facility;
  throw new DomainError(ErrorCode.Forbidden, {
    detail:
      actor.kind === 'service'
        ? 'This request must speak for a facility: send X-Act-For-Facility with a token holding lienthong/act-for.'
        : 'This request must speak for a facility; a person’s token names none.',
    extensions: { reason: ActorRefusal.FacilityRequired },
  });
}

/**
 * What an audit row records about the caller, flat so it maps onto columns. For a service acting for a
 * facility, `subject`/`service` name the service that made the call and `facilityCode` the facility it
 * spoke for: both are kept, so "lab-results-service for 79001" is never flattened into "79001".
 */
export interface AuditActor {
  readonly kind: ActorKind;
  readonly subject: string;
  /** The facility the access is attributed to (its own, or the one a service acted for); null if none. */
  readonly facilityCode: string | null;
  /** The calling service when kind is `service`. */
  readonly service: string | null;
  readonly role: PersonRole | null;
  readonly province: string | null;
  readonly purposeOfUse: PurposeOfUse;
  readonly clientId: string | null;
  readonly requestId: string | null;
}

export function auditActor(actor: Actor): AuditActor {
  const common = {
    kind: actor.kind,
    subject: actor.subject,
    purposeOfUse: actor.purposeOfUse,
    clientId: actor.clientId ?? null,
    requestId: actor.requestId ?? null,
  };
  switch (actor.kind) {
    case 'facility':
      return { ...common, facilityCode: actor.facilityCode, service: null, role: null, province: null };
    case 'service':
      return { ...common, facilityCode: actor.actingForFacility ?? null, service: actor.service, role: null, province: null };
    case 'person':
      return { ...common, facilityCode: null, service: null, role: actor.role, province: actor.province ?? null };
  }
}
