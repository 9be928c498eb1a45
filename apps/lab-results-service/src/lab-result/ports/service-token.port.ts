/**
 * Bearer tokens this service presents when it calls another Liên Thông service as itself (claim
 * `service: lab-results-service`): identity-service (register-or-link and lookups, acting for a facility
 * named per request in `X-Act-For-Facility`) and consent-service (batch decisions).
 */
export abstract class ServiceToken {
  /**
   * A token carrying exactly `scopes`, valid for at least the next minute. Cached per scope set, so
   * calling it on every request is cheap. Rejects when this process holds no credentials (production
   * until the client-credentials grant exists): callers treat that like the peer being unavailable.
   */
  abstract get(scopes: readonly string[]): Promise<string>;
}

/** What identity-service asks of a service that registers or looks up a facility's patient for it. */
export const IDENTITY_SCOPES: readonly string[] = ['system/Patient.cu', 'system/Patient.rs', 'lienthong/act-for'];

/** What consent-service asks of a service that requests decisions. */
export const CONSENT_SCOPES: readonly string[] = ['lienthong/consent.decide'];
