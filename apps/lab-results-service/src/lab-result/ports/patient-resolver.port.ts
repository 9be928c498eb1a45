import { type VisitDemographics } from '../domain/demographics';

/** identity-service's answer to register-or-link, as the ingest needs it. */
export type PatientResolution =
  /** Registered, linked or updated: the enterprise patient id (also when a steward is to review it). */
  | { readonly kind: 'resolved'; readonly enterprisePatientId: string }
  /** identity refuses the demographics (an invalid CCCD, say): the visit is rejected with these, pointing into the registration body. */
  | { readonly kind: 'refused'; readonly status: number; readonly detail: string; readonly violations: readonly { readonly pointer: string; readonly rule: string; readonly message: string }[] }
  /** Not answered in time, refused the connection, 5xx, 429, or our own credentials were refused: try again later. */
  | { readonly kind: 'unavailable'; readonly reason: string };

/**
 * The patient behind a visit: identity-service's register-or-link (`POST /v1/patients`), called as
 * lab-results-service acting for the sending facility. Never throws: every failure is a resolution.
 */
export abstract class PatientResolver {
  /** `idempotencyKey` makes a retry of the same visit content safe on identity's side. */
  abstract registerOrLink(facilityCode: string, demographics: VisitDemographics, idempotencyKey: string): Promise<PatientResolution>;
}
