import { type PurposeOfUse } from '@lienthong/vn-standards';

/** How a requester names a patient it does not give by enterprise id. */
export type PatientQuery = { readonly by: 'cccd'; readonly cccd: string } | { readonly by: 'local-id'; readonly facilityCode: string; readonly localId: string };

/**
 * identity-service's lookups (`GET /v1/patients?identifier=cccd|…`, `?facility=&localId=`), called as
 * lab-results-service acting for the requesting facility: it finds only what that facility may see.
 */
export abstract class PatientLookup {
  /**
   * The enterprise patient id (a merged one answered as its survivor), or undefined when identity
   * knows no patient the facility may see. Throws LabResultError `dependency-unavailable` when
   * identity cannot answer (timeout, connection, 5xx, our credentials refused).
   */
  abstract find(query: PatientQuery, actingFor: string, purpose: PurposeOfUse): Promise<string | undefined>;
}
