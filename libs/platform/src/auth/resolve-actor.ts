import { FACILITY_CODE_MESSAGE, FACILITY_CODE_PATTERN } from '@lienthong/vn-standards';
import { DomainError, ValidationError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import {
  ACT_FOR_SCOPE,
  ActorRefusal,
  DEFAULT_PURPOSE_OF_USE,
  isPurposeOfUse,
  PURPOSES_OF_USE,
  type Actor,
  type PurposeOfUse,
} from './actor';
import type { VerifiedToken } from './jwt-verifier';

/** What of the request shapes the actor: two headers as Node presents them, and the request's id. */
export interface ActorRequest {
  readonly actForFacility?: string | readonly string[] | undefined;
  readonly purposeOfUse?: string | readonly string[] | undefined;
  readonly requestId?: string | undefined;
}

/**
 * A verified token plus this request's headers and id → the actor use cases see.
 *
 * How a service names the facility it acts for — a per-request header, not a token minted per call
 * (RFC 8693 `act`): the service keeps one credential of its own, so a durable retry hours after the
 * hospital's file arrived needs no hospital token and no token exchange with the issuer on every call;
 * what makes the header honest is that only a token the issuer granted `lienthong/act-for` may send
 * it, the value must be a facility code, and it lands in the audit row next to the service's name
 * (auditActor). A facility's token may repeat its own code (a gateway that always adds the header
 * does no harm) but never name another; a person's token never names one.
 */
export function resolveActor(token: VerifiedToken, request: ActorRequest): Actor {
  const base = {
    subject: token.subject,
    scopes: token.scopes,
    purposeOfUse: purposeOfUse(request.purposeOfUse),
    ...(token.clientId === undefined ? {} : { clientId: token.clientId }),
    ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
  };
  const actFor = actForFacility(request.actForFacility);
  const { principal } = token;
  switch (principal.kind) {
    case 'facility':
      if (actFor !== undefined && actFor !== principal.facilityCode) {
        throw new DomainError(ErrorCode.FacilityMismatch, {
          detail: 'A facility’s token speaks only for that facility; X-Act-For-Facility names another.',
          extensions: { reason: ActorRefusal.ActForNotAllowed },
        });
      }
      return { kind: 'facility', ...base, facilityCode: principal.facilityCode };
    case 'service':
      if (actFor === undefined) return { kind: 'service', ...base, service: principal.service };
      if (!token.scopes.includes(ACT_FOR_SCOPE)) {
        throw new DomainError(ErrorCode.InsufficientScope, {
          detail: `Acting for a facility needs the scope ${ACT_FOR_SCOPE}.`,
          headers: { 'www-authenticate': `Bearer realm="lienthong", error="insufficient_scope", scope="${ACT_FOR_SCOPE}"` },
          extensions: { requiredScopes: [ACT_FOR_SCOPE], reason: ActorRefusal.ActForNotGranted },
        });
      }
      return { kind: 'service', ...base, service: principal.service, actingForFacility: actFor };
    case 'person':
      if (actFor !== undefined) {
        throw new DomainError(ErrorCode.Forbidden, {
          detail: 'A person’s token cannot act for a facility.',
          extensions: { reason: ActorRefusal.ActForNotAllowed },
        });
      }
      return {
        kind: 'person',
        ...base,
        role: principal.role,
        ...(principal.province === undefined ? {} : { province: principal.province }),
      };
  }
}

function single(header: string | readonly string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  return typeof header === 'string' ? header : header.join(', ');
}

function actForFacility(header: string | readonly string[] | undefined): string | undefined {
  const value = single(header);
  if (value === undefined) return undefined;
  // Exact, no trimming or upper-casing: a code the caller did not send must not be the one audited.
  if (FACILITY_CODE_PATTERN.test(value)) return value;
  throw new ValidationError(
    [{ field: 'X-Act-For-Facility', rule: 'pattern', message: FACILITY_CODE_MESSAGE }],
    'X-Act-For-Facility is not a facility code.',
  );
}

function purposeOfUse(header: string | readonly string[] | undefined): PurposeOfUse {
  if (header === undefined || header === '') return DEFAULT_PURPOSE_OF_USE;
  const value = (typeof header === 'string' ? header : header[0] ?? '').trim().toLowerCase();
  if (isPurposeOfUse(value)) return value;
  throw new ValidationError(
    [{ field: 'X-Purpose-Of-Use', rule: 'enum', message: `must be one of: ${PURPOSES_OF_USE.join(', ')}` }],
    'Unknown purpose of use.',
  );
}
