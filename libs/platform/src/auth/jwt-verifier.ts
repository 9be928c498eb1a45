import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { FACILITY_CODE_PATTERN, PROVINCE_CODE_PATTERN } from '@lienthong/vn-standards';
import { ACT_FOR_SCOPE, isPersonRole, provinceClaimRule, SERVICE_NAME_PATTERN, type PersonRole } from './actor';
import { splitScopes } from './scopes';

export interface JwtVerifierOptions {
  /** PEM (SPKI) or a JWK as JSON. */
  readonly publicKey?: string;
  readonly jwksUrl?: string;
  readonly issuer: string;
  readonly audience: string;
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  readonly clockToleranceSeconds?: number;
  /**
   * Verified tokens remembered (LRU) so a client re-sending the same bearer token is not
   * signature-checked on every request (ES256 verification is the costliest step of a small
   * request). An entry lives until the token's `exp` (never past it, clock tolerance not applied)
   * and at most `verifiedCacheMaxAgeSeconds`, so a key removed from a JWKS stops being honoured
   * within that bound. Default 1024 tokens; 0 disables.
   */
  readonly verifiedCacheSize?: number;
  /** Default 300 s. */
  readonly verifiedCacheMaxAgeSeconds?: number;
}

/**
 * Who a token says its holder is: exactly one of a `facility` claim (a hospital system), a `service`
 * claim (a Liên Thông service, on its own credential) or a `role` claim (a person). Requiring the kind
 * to be named, rather than guessing "no facility, so a service", keeps a mis-issued facility token from
 * quietly becoming something else.
 */
export type TokenPrincipal =
  | { readonly kind: 'facility'; readonly facilityCode: string }
  | { readonly kind: 'service'; readonly service: string }
  | { readonly kind: 'person'; readonly role: PersonRole; readonly province?: string };

export interface VerifiedToken {
  readonly subject: string;
  readonly principal: TokenPrincipal;
  readonly scopes: string[];
  readonly clientId?: string;
  readonly payload: JWTPayload;
}

/** Why a token was refused; shown to the client only as a generic reason. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

const JWKS_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

export class JwtVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly algorithms: string[];
  /** token → verified claims and until when (epoch ms) they may be reused; Map order = LRU order. */
  private readonly verified = new Map<string, { readonly token: VerifiedToken; readonly until: number }>();
  private readonly cacheSize: number;
  private readonly cacheMaxAgeMs: number;

  constructor(private readonly options: JwtVerifierOptions) {
    if (options.jwksUrl) {
      // jose caches the key set and refetches on an unknown kid (rotation) with a cooldown.
      this.key = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
      this.algorithms = JWKS_ALGORITHMS;
    } else if (options.publicKey) {
      const key = parsePublicKey(options.publicKey);
      this.key = key;
      this.algorithms = algorithmsFor(key);
    } else {
      throw new Error('JwtVerifier needs a public key or a JWKS URL');
    }
    this.cacheSize = Math.max(0, Math.floor(options.verifiedCacheSize ?? 1024));
    this.cacheMaxAgeMs = Math.max(0, options.verifiedCacheMaxAgeSeconds ?? 300) * 1000;
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (this.cacheSize === 0) return this.verifyUncached(token);
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit) {
      this.verified.delete(token);
      if (hit.until > now) {
        this.verified.set(token, hit); // most recently used
        return hit.token;
      }
    }
    const verified = await this.verifyUncached(token);
    const exp = typeof verified.payload.exp === 'number' ? verified.payload.exp * 1000 : 0;
    const nbf = typeof verified.payload.nbf === 'number' ? verified.payload.nbf * 1000 : 0;
    const until = Math.min(exp, now + this.cacheMaxAgeMs);
    // Not cached: tokens accepted only thanks to the clock tolerance (not yet valid, about to expire).
    if (until > now && nbf <= now) {
      this.verified.set(token, { token: verified, until });
      if (this.verified.size > this.cacheSize) {
        const oldest = this.verified.keys().next();
        if (!oldest.done) this.verified.delete(oldest.value);
      }
    }
    return verified;
  }

  private async verifyUncached(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      const options = {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.algorithms,
        clockTolerance: this.options.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      };
      // Two calls rather than a union argument: jose overloads on the key's type.
      const result =
        typeof this.key === 'function' ? await jwtVerify(token, this.key, options) : await jwtVerify(token, this.key, options);
      payload = result.payload;
    } catch (error) {
      throw new InvalidTokenError(describeJoseError(error));
    }
    const scopes = splitScopes(payload['scope'] ?? payload['scp']);
    const principal = principalOf(payload, scopes);
    const clientId = payload['client_id'] ?? payload['azp'];
    // Frozen: a cached result is shared by every request that presents the same token.
    return Object.freeze({
      subject: payload.sub ?? '',
      principal: Object.freeze(principal),
      scopes: Object.freeze(scopes) as string[],
      ...(typeof clientId === 'string' ? { clientId } : {}),
      payload: Object.freeze(payload),
    });
  }
}

const PRINCIPAL_CLAIMS = ['facility', 'service', 'role'] as const;

function principalOf(payload: JWTPayload, scopes: readonly string[]): TokenPrincipal {
  const named = PRINCIPAL_CLAIMS.filter((claim) => payload[claim] !== undefined);
  // One token, one principal: a token that is both a facility and a person would let whichever check
  // a route happens to make decide who the caller is.
  if (named.length > 1) throw new InvalidTokenError(`token names more than one principal (${named.join(', ')})`);
  const principal = principalFrom(payload, named[0]);
  // Acting for a facility is a service's privilege; on a facility's token it would read as "may become
  // any facility", on a person's as "is a facility".
  if (principal.kind !== 'service' && scopes.includes(ACT_FOR_SCOPE)) {
    throw new InvalidTokenError(`${ACT_FOR_SCOPE} is granted only to service tokens`);
  }
  return principal;
}

function principalFrom(payload: JWTPayload, claim: (typeof PRINCIPAL_CLAIMS)[number] | undefined): TokenPrincipal {
  switch (claim) {
    case undefined:
      throw new InvalidTokenError('token names no principal (a facility, service or role claim)');
    case 'facility': {
      const facility = payload['facility'];
      if (typeof facility !== 'string' || !FACILITY_CODE_PATTERN.test(facility)) throw new InvalidTokenError('token has no valid facility claim');
      return { kind: 'facility', facilityCode: facility };
    }
    case 'service': {
      const service = payload['service'];
      if (typeof service !== 'string' || !SERVICE_NAME_PATTERN.test(service)) throw new InvalidTokenError('token has no valid service claim');
      return { kind: 'service', service };
    }
    case 'role': {
      const role = payload['role'];
      if (typeof role !== 'string' || !isPersonRole(role)) throw new InvalidTokenError('token has an unknown role claim');
      const province = payload['province'];
      const rule = provinceClaimRule(role);
      if (province === undefined) {
        if (rule === 'required') throw new InvalidTokenError(`a ${role} token needs a province claim`);
        return { kind: 'person', role };
      }
      if (rule === 'forbidden') throw new InvalidTokenError(`a ${role} token carries no province claim`);
      // Shape only: the province table in vn-standards is not yet checked against the gazette, and a
      // wrong table must not lock a real analyst out.
      if (typeof province !== 'string' || !PROVINCE_CODE_PATTERN.test(province)) throw new InvalidTokenError('token has no valid province claim');
      return { kind: 'person', role, province };
    }
  }
}

function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    return createPublicKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' });
  }
  // Env files often carry PEMs with literal "\n".
  return createPublicKey(trimmed.replace(/\\n/g, '\n'));
}

/** Pin the algorithm to the key type: a token may not choose how it is checked. */
function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1' || curve === 'P-256') return ['ES256'];
      if (curve === 'secp384r1' || curve === 'P-384') return ['ES384'];
      throw new Error(`unsupported EC curve for JWT verification: ${curve ?? 'unknown'}`);
    }
    case 'rsa':
      return ['RS256', 'PS256'];
    case 'ed25519':
      return ['EdDSA'];
    case 'dsa':
    case 'ed448':
    case 'rsa-pss':
    case 'x25519':
    case 'x448':
    case undefined:
      throw new Error(`unsupported public key type for JWT verification: ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} invalid: ${error.reason}`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature invalid';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no matching key in JWKS';
  if (error instanceof joseErrors.JOSEError) return error.code;
  return 'token could not be verified';
}
