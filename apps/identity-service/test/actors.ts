import { type Actor, type FacilityActor, type PersonActor, type ServiceActor } from '@lienthong/platform';
import { Scopes } from '../src/scopes';

const requestId = () => `req-${Math.random().toString(36).slice(2, 10)}`;
const scopesOf = (crossRef: boolean | undefined, extra: readonly string[] = []) => [
  Scopes.patientRead,
  Scopes.patientWrite,
  ...(crossRef ? [Scopes.crossReference] : []),
  ...extra,
];

/** A hospital system's actor, as the auth guard builds it from a verified token. */
export function facilityActor(facilityCode: string, options: { crossRef?: boolean; subject?: string; scopes?: readonly string[] } = {}): FacilityActor {
  return { kind: 'facility', subject: options.subject ?? `his-${facilityCode}`, facilityCode, scopes: scopesOf(options.crossRef, options.scopes), purposeOfUse: 'treatment', requestId: requestId() };
}

/** A service (its own credential) acting for `facilityCode` on this call, or for nobody. */
export function serviceActor(service: string, actingForFacility?: string): ServiceActor {
  return {
    kind: 'service',
    subject: `svc-${service}`,
    service,
    ...(actingForFacility !== undefined ? { actingForFacility } : {}),
    scopes: scopesOf(false, ['lienthong/act-for']),
    purposeOfUse: 'treatment',
    requestId: requestId(),
  };
}

/** A data steward or analyst: a person, no facility. */
export function personActor(role: PersonActor['role'], scopes: readonly string[] = []): PersonActor {
  return { kind: 'person', subject: `person-${role}`, role, scopes: [...scopes], purposeOfUse: 'treatment', requestId: requestId() };
}

export type { Actor };
