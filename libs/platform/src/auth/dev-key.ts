import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the development issuer keeps its key pair (gitignored), relative to the workspace root. */
export const DEV_AUTH_DIR = '.infra/dev-auth';

export interface DevKeyPair {
  readonly privateKey: KeyObject;
  /** RFC 7638 thumbprint, so a JWKS consumer can match tokens to the key. */
  readonly kid: string;
  readonly publicKeyFile: string;
  /** True when this call created the pair. */
  readonly created: boolean;
}

/**
 * The development issuer's ES256 key pair, created on first use: `private.pem`, `public.pem` and
 * `jwks.json` in `dir`. `npm run token` signs with it; a service started in development with no key
 * configured verifies with it — so `node dist/apps/<app>/main.js` works on a fresh checkout.
 * Never used when NODE_ENV=production.
 */
export function ensureDevKeyPair(dir: string = DEV_AUTH_DIR): DevKeyPair {
  const privatePath = join(dir, 'private.pem');
  const publicPath = join(dir, 'public.pem');
  const jwksPath = join(dir, 'jwks.json');
  let created = false;
  if (!existsSync(privatePath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    created = true;
  }
  const privateKey = createPrivateKey(readFileSync(privatePath));
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if (!existsSync(publicPath) || readFileSync(publicPath, 'utf8') !== publicPem) writeFileSync(publicPath, publicPem);
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
  const jwks = JSON.stringify({ keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] }, null, 2);
  if (!existsSync(jwksPath) || readFileSync(jwksPath, 'utf8') !== jwks) writeFileSync(jwksPath, jwks);
  return { privateKey, kid, publicKeyFile: publicPath, created };
}
