import { InjectConfig } from '@lienthong/platform';
import { Injectable, Logger } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type LabResultsConfig } from '../../../config/lab-results.config';
import { ServiceToken } from '../../ports/service-token.port';

/** Tokens live this long; a cached one is renewed once less than RENEW_BEFORE_S remains. */
const TTL_S = 300;
const RENEW_BEFORE_S = 60;
/** Where the development issuer keeps its private key (written by `npm run token` / the platform's dev key). */
const DEV_PRIVATE_KEY_FILE = '.infra/dev-auth/private.pem';

/**
 * ServiceToken signed locally with an ES256 private key, as the development issuer does
 * (scripts/token.cjs): issuer and audience are the ones this service verifies with (AUTH_ISSUER,
 * AUTH_AUDIENCE), so the peers configured like it accept the token.
 *
 * - `LAB_SERVICE_TOKEN_KEY_FILE`: PKCS#8 PEM of the key (tests pass their issuer's key this way);
 * - unset outside production: the development issuer's key in `.infra/dev-auth/private.pem`;
 * - unset in production, or a key that cannot be read: no credentials — a warning at boot and every
 *   `get` rejects (visits wait as pending-patient, reuse checks see consent as unavailable).
 *   Production needs a client-credentials grant from the real issuer; that is a later issue.
 */
@Injectable()
export class SignedServiceToken extends ServiceToken {
  private readonly logger = new Logger(SignedServiceToken.name);
  private readonly key: { privateKey: KeyObject; kid: string } | Error;
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();

  constructor(@InjectConfig() private readonly config: LabResultsConfig) {
    super();
    const file = config.lab.serviceTokenKeyFile ?? (config.service.environment === 'production' ? undefined : DEV_PRIVATE_KEY_FILE);
    if (file === undefined) {
      this.key = new Error('lab-results-service holds no service credentials: set LAB_SERVICE_TOKEN_KEY_FILE (a client-credentials grant is a later issue)');
    } else {
      try {
        this.key = loadKey(file);
      } catch (error) {
        this.key = new Error(`lab-results-service cannot read its service key ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    // Not a boot failure: ingest still accepts visits (they wait for their patient) and the reuse check fails closed.
    if (this.key instanceof Error) this.logger.warn(`${this.key.message}; calls to identity and consent cannot be authenticated`);
  }

  get(scopes: readonly string[]): Promise<string> {
    if (this.key instanceof Error) return Promise.reject(this.key);
    const scope = [...new Set(scopes)].sort().join(' ');
    const now = Math.floor(Date.now() / 1000);
    const cached = this.cache.get(scope);
    if (cached !== undefined && cached.expiresAt - now > RENEW_BEFORE_S) return Promise.resolve(cached.token);
    const key = this.key;
    const token = signJwt(key, {
      iss: this.config.auth.issuer,
      aud: this.config.auth.audience,
      sub: `service-${this.config.service.name}`,
      service: this.config.service.name,
      scope,
      jti: randomUUID(),
      iat: now,
      exp: now + TTL_S,
    });
    this.cache.set(scope, { token, expiresAt: now + TTL_S });
    return Promise.resolve(token);
  }
}

function loadKey(file: string): { privateKey: KeyObject; kid: string } {
  const privateKey = createPrivateKey(readFileSync(file));
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  // RFC 7638 thumbprint, as the development issuer names its key.
  const kid = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
  return { privateKey, kid };
}

function signJwt(key: { privateKey: KeyObject; kid: string }, payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'ES256', typ: 'JWT', kid: key.kid })}.${part(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
