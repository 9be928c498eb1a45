#!/usr/bin/env node
// Prints a development JWT signed by the local dev issuer.
//
//   npm run token -- --facility 79001 --scope "system/Patient.rs system/Observation.cruds" [--ttl 3600] [--sub his-79001]
//                    [--iss https://auth.lienthong.local/dev] [--aud lienthong] [--json]
//
// The ES256 key pair is created on first use in .infra/dev-auth/ (gitignored): private.pem, public.pem
// and jwks.json. Services run locally verify with AUTH_PUBLIC_KEY_FILE=.infra/dev-auth/public.pem (the
// default outside production) — the issuer and audience defaults below match the platform's.
// Plain Node: jose 6 is ESM-only and Node >= 20.19 can require() it.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const KEY_DIR = path.join(process.env.DEV_AUTH_DIR ?? path.join(ROOT, '.infra', 'dev-auth'));
const DEFAULT_ISSUER = 'https://auth.lienthong.local/dev';
const DEFAULT_AUDIENCE = 'lienthong';
const FACILITY = /^[0-9]{2}[0-9A-Z]{3}$/;
const SCOPE = /^(system|user|patient)\/(\*|[A-Za-z][A-Za-z0-9]*)\.(c?r?u?d?s?|read|write|\*)$/;
// Liên Thông platform scopes (libs/platform auth/scopes.ts), granted verbatim.
const PLATFORM_SCOPE = /^lienthong\/[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

function usage(message) {
  if (message) process.stderr.write(`token: ${message}\n`);
  process.stderr.write(
    'usage: npm run token -- --facility <MA_CSKCB> --scope "<scopes>" [--ttl <seconds>] [--sub <subject>] [--iss <issuer>] [--aud <audience>] [--json]\n',
  );
  process.exit(2);
}

function ensureKeyPair() {
  const privatePath = path.join(KEY_DIR, 'private.pem');
  const publicPath = path.join(KEY_DIR, 'public.pem');
  const jwksPath = path.join(KEY_DIR, 'jwks.json');
  if (!fs.existsSync(privatePath)) {
    fs.mkdirSync(KEY_DIR, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
    process.stderr.write(`token: created a development key pair in ${path.relative(process.cwd(), KEY_DIR) || KEY_DIR}\n`);
  }
  const privateKey = crypto.createPrivateKey(fs.readFileSync(privatePath));
  const publicKey = crypto.createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint as the key id, so a JWKS consumer can match tokens to this key.
  const kid = crypto
    .createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
  if (!fs.existsSync(publicPath)) fs.writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
  const jwks = JSON.stringify({ keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] }, null, 2);
  if (!fs.existsSync(jwksPath) || fs.readFileSync(jwksPath, 'utf8') !== jwks) fs.writeFileSync(jwksPath, jwks);
  return { privateKey, kid, publicPath };
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        facility: { type: 'string' },
        scope: { type: 'string' },
        ttl: { type: 'string', default: '3600' },
        sub: { type: 'string' },
        iss: { type: 'string', default: process.env.AUTH_ISSUER ?? DEFAULT_ISSUER },
        aud: { type: 'string', default: process.env.AUTH_AUDIENCE ?? DEFAULT_AUDIENCE },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    usage(error.message);
  }
  if (values.help) usage();
  if (!values.facility || !FACILITY.test(values.facility)) usage('--facility must be a 5-character facility code, e.g. 79001');
  if (!values.scope) usage('--scope is required, e.g. "system/Patient.rs"');
  const scopes = values.scope.split(/\s+/).filter(Boolean);
  const bad = scopes.filter((s) => !SCOPE.test(s) && !PLATFORM_SCOPE.test(s));
  if (bad.length > 0) usage(`not SMART scopes: ${bad.join(' ')} (expected e.g. system/Patient.rs)`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) usage('--ttl must be a positive number of seconds');

  const { SignJWT } = require('jose');
  const { privateKey, kid, publicPath } = ensureKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ facility: values.facility, scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
    .setIssuer(values.iss)
    .setAudience(values.aud)
    .setSubject(values.sub ?? `dev-client-${values.facility}`)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(privateKey);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ token, expiresAt: new Date((now + ttl) * 1000).toISOString(), publicKeyFile: publicPath })}\n`);
  } else {
    process.stdout.write(`${token}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
