#!/usr/bin/env node
// Prints a development JWT signed by the local dev issuer, for any of the platform's three principals:
//
//   npm run token -- --facility 79001 --scope "system/Patient.rs system/Observation.cruds"       a hospital system
//   npm run token -- --service lab-results-service --scope "lienthong/act-for system/Patient.cu"  a service (acts for
//                    the facility named per request in X-Act-For-Facility, if it holds lienthong/act-for)
//   npm run token -- --person --role provincial-analyst --province 79 --scope "lienthong/analytics.read"   a person
//   common: [--ttl 3600] [--sub <subject>] [--iss https://auth.lienthong.local/dev] [--aud lienthong] [--json]
//
// The ES256 key pair is created on first use in .infra/dev-auth/ (gitignored): private.pem, public.pem
// and jwks.json. Services run locally verify with AUTH_PUBLIC_KEY_FILE=.infra/dev-auth/public.pem (the
// default outside production) — the issuer and audience defaults below match the platform's.
// Plain Node: jose 6 is ESM-only and Node >= 20.19 can require() it. The claim rules (facility code,
// scopes, roles, provinces) are the platform's own, loaded from its TypeScript, so a token this prints
// is one the services accept.
'use strict';
const crypto = require('node:crypto');
const path = require('node:path');
const { parseArgs } = require('node:util');

require('./run-ts.cjs');
const { FACILITY_CODE_PATTERN, FACILITY_CODE_MESSAGE, PROVINCE_CODE_PATTERN } = require('../libs/vn-standards/src/facility.ts');
const { isRequirableScope } = require('../libs/platform/src/auth/scopes.ts');
const { ensureDevKeyPair } = require('../libs/platform/src/auth/dev-key.ts');
const {
  ACT_FOR_SCOPE,
  PERSON_ROLES,
  SERVICE_NAME_PATTERN,
  isPersonRole,
  provinceClaimRule,
} = require('../libs/platform/src/auth/actor.ts');

const ROOT = path.resolve(__dirname, '..');
const KEY_DIR = path.join(process.env.DEV_AUTH_DIR ?? path.join(ROOT, '.infra', 'dev-auth'));
const DEFAULT_ISSUER = 'https://auth.lienthong.local/dev';
const DEFAULT_AUDIENCE = 'lienthong';

function usage(message, exitCode = 2) {
  if (message) process.stderr.write(`token: ${message}\n`);
  (exitCode === 0 ? process.stdout : process.stderr).write(
    [
      'usage: npm run token -- <principal> --scope "<scopes>" [--ttl <seconds>] [--sub <subject>] [--iss <issuer>] [--aud <audience>] [--json]',
      '  principal, exactly one of:',
      '    --facility <MA_CSKCB>                     a hospital system, e.g. --facility 79001',
      `    --service <name>                          a Liên Thông service, e.g. --service lab-results-service (add ${ACT_FOR_SCOPE} to act for facilities)`,
      `    --person --role <role> [--province <NN>]  a person; roles: ${PERSON_ROLES.join(', ')}`,
      '',
    ].join('\n'),
  );
  process.exit(exitCode);
}

/** The principal's claims and default subject, or a usage error naming what is wrong. */
function principalClaims(values) {
  const chosen = ['facility', 'service', 'person'].filter((name) => values[name] !== undefined && values[name] !== false);
  if (chosen.length !== 1) usage('name exactly one principal: --facility, --service or --person');
  if (values.role !== undefined && !values.person) usage('--role is for --person tokens');
  if (values.province !== undefined && !values.person) usage('--province is for --person tokens');
  if (values.facility !== undefined) {
    if (!FACILITY_CODE_PATTERN.test(values.facility)) usage(`--facility: ${FACILITY_CODE_MESSAGE}, e.g. 79001`);
    return { claims: { facility: values.facility }, sub: `dev-client-${values.facility}` };
  }
  if (values.service !== undefined) {
    if (!SERVICE_NAME_PATTERN.test(values.service)) usage('--service must be a kebab-case service name, e.g. lab-results-service');
    return { claims: { service: values.service }, sub: `dev-service-${values.service}` };
  }
  if (!values.role) usage(`--person needs --role, one of: ${PERSON_ROLES.join(', ')}`);
  if (!isPersonRole(values.role)) usage(`--role must be one of: ${PERSON_ROLES.join(', ')}`);
  const rule = provinceClaimRule(values.role);
  if (rule === 'required' && values.province === undefined) usage(`a ${values.role} needs --province <2-digit province code>, e.g. 79`);
  if (rule === 'forbidden' && values.province !== undefined) usage(`a ${values.role} works nationally: no --province`);
  if (values.province !== undefined && !PROVINCE_CODE_PATTERN.test(values.province)) usage('--province must be a 2-digit province code, e.g. 79');
  const claims = { role: values.role, ...(values.province === undefined ? {} : { province: values.province }) };
  return { claims, sub: `dev-person-${values.role}${values.province === undefined ? '' : `-${values.province}`}` };
}

function ensureKeyPair() {
  const pair = ensureDevKeyPair(KEY_DIR);
  if (pair.created) process.stderr.write(`token: created a development key pair in ${path.relative(process.cwd(), KEY_DIR) || KEY_DIR}\n`);
  return { privateKey: pair.privateKey, kid: pair.kid, publicPath: pair.publicKeyFile };
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        facility: { type: 'string' },
        service: { type: 'string' },
        person: { type: 'boolean', default: false },
        role: { type: 'string' },
        province: { type: 'string' },
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
  if (values.help) usage(undefined, 0);
  const principal = principalClaims(values);
  if (!values.scope) usage('--scope is required, e.g. "system/Patient.rs"');
  const scopes = values.scope.split(/\s+/).filter(Boolean);
  const bad = scopes.filter((s) => !isRequirableScope(s));
  if (bad.length > 0) usage(`not SMART or lienthong/… scopes: ${bad.join(' ')} (expected e.g. system/Patient.rs)`);
  // The platform refuses these tokens outright; say so here rather than mint one that cannot be used.
  if (scopes.includes(ACT_FOR_SCOPE) && values.service === undefined) usage(`${ACT_FOR_SCOPE} is granted only to --service tokens`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) usage('--ttl must be a positive number of seconds');

  const { SignJWT } = require('jose');
  const { privateKey, kid, publicPath } = ensureKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ ...principal.claims, scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
    .setIssuer(values.iss)
    .setAudience(values.aud)
    .setSubject(values.sub ?? principal.sub)
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
