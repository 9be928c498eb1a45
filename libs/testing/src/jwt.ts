import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * Claims of a test token. The platform reads exactly one principal from it (a token naming several,
 * or none, is refused — tests of that refusal set them together on purpose):
 * - a facility's system: `facility`;
 * - a Liên Thông service: `service` (add `lienthong/act-for` to `scope` for it to act for a facility
 *   named in the `X-Act-For-Facility` request header);
 * - a person: `role` (`ministry-analyst`, `provincial-analyst`, `data-steward`) and `province`.
 */
export interface TestTokenClaims {
  /** 5-character facility code (MA_CSKCB). */
  readonly facility?: string;
  /** The calling service's name, e.g. `lab-results-service`. */
  readonly service?: string;
  /** A person's role. */
  readonly role?: string;
  /** 2-digit province code of a person's token. */
  readonly province?: string;
  /** Space-separated scopes, e.g. `system/Patient.rs lienthong/act-for`. */
  readonly scope?: string;
  readonly sub?: string;
  /** Lifetime in seconds; negative for an already expired token. */
  readonly ttlSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string;
  readonly extra?: Record<string, unknown>;
}

export interface TestIssuer {
  /** SPKI PEM, for AUTH_PUBLIC_KEY. */
  readonly publicKeyPem: string;
  readonly issuer: string;
  readonly audience: string;
  sign(claims?: TestTokenClaims): Promise<string>;
}

/**
 * A throwaway ES256 issuer for tests: pass `publicKeyPem`, `issuer` and `audience` to the service as
 * AUTH_PUBLIC_KEY / AUTH_ISSUER / AUTH_AUDIENCE and sign whatever token a test needs.
 */
export function createTestIssuer(options: { issuer?: string; audience?: string } = {}): TestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = options.issuer ?? 'https://auth.lienthong.test';
  const audience = options.audience ?? 'lienthong';
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    issuer,
    audience,
    sign: (claims = {}) => signTestToken(privateKey, { issuer, audience, ...claims }),
  };
}

async function signTestToken(key: KeyObject, claims: TestTokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { ...claims.extra };
  if (claims.facility !== undefined) payload['facility'] = claims.facility;
  if (claims.service !== undefined) payload['service'] = claims.service;
  if (claims.role !== undefined) payload['role'] = claims.role;
  if (claims.province !== undefined) payload['province'] = claims.province;
  if (claims.scope !== undefined) payload['scope'] = claims.scope;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuer(claims.issuer ?? 'https://auth.lienthong.test')
    .setAudience(claims.audience ?? 'lienthong')
    .setSubject(claims.sub ?? 'test-client')
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.ttlSeconds ?? 300))
    .sign(key);
}
