import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { FACILITY_CODE_PATTERN } from './actor';
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

export interface VerifiedToken {
  readonly subject: string;
  readonly facilityCode: string;
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
    const facility = payload['facility'];
    if (typeof facility !== 'string' || !FACILITY_CODE_PATTERN.test(facility)) {
      throw new InvalidTokenError('token has no valid facility claim');
    }
    const clientId = payload['client_id'] ?? payload['azp'];
    // Frozen: a cached result is shared by every request that presents the same token.
    return Object.freeze({
      subject: payload.sub ?? '',
      facilityCode: facility,
      scopes: Object.freeze(splitScopes(payload['scope'] ?? payload['scp'])) as string[],
      ...(typeof clientId === 'string' ? { clientId } : {}),
      payload: Object.freeze(payload),
    });
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
