import { createTestIssuer } from '@lienthong/testing';
import { createPublicKey } from 'node:crypto';
import { InvalidTokenError, JwtVerifier } from './jwt-verifier';

describe('JwtVerifier', () => {
  const issuer = createTestIssuer();
  const verifier = new JwtVerifier({ publicKey: issuer.publicKeyPem, issuer: issuer.issuer, audience: issuer.audience });

  async function reason(token: Promise<string>, v = verifier): Promise<string> {
    try {
      await v.verify(await token);
    } catch (error) {
      if (error instanceof InvalidTokenError) return error.reason;
      throw error;
    }
    throw new Error('expected the token to be refused');
  }

  it('accepts a valid token and reads facility, scopes and subject', async () => {
    const token = await issuer.sign({ facility: '79001', scope: 'system/Patient.rs system/Observation.cruds', sub: 'his-79001' });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      subject: 'his-79001',
      principal: { kind: 'facility', facilityCode: '79001' },
      scopes: ['system/Patient.rs', 'system/Observation.cruds'],
    });
  });

  it('accepts the key as a JWK too', async () => {
    const jwk = JSON.stringify(createPublicKey(issuer.publicKeyPem).export({ format: 'jwk' }));
    const jwkVerifier = new JwtVerifier({ publicKey: jwk, issuer: issuer.issuer, audience: issuer.audience });
    await expect(jwkVerifier.verify(await issuer.sign({ facility: '79001' }))).resolves.toMatchObject({
      principal: { kind: 'facility', facilityCode: '79001' },
    });
  });

  it('refuses expired tokens, wrong issuer or audience, other keys and missing facility', async () => {
    expect(await reason(issuer.sign({ facility: '79001', ttlSeconds: -120 }))).toBe('token expired');
    expect(await reason(issuer.sign({ facility: '79001', issuer: 'https://evil.example' }))).toMatch(/claim iss/);
    expect(await reason(issuer.sign({ facility: '79001', audience: 'someone-else' }))).toMatch(/claim aud/);
    expect(await reason(createTestIssuer().sign({ facility: '79001' }))).toBe('signature invalid');
    expect(await reason(issuer.sign({}))).toBe('token names no principal (a facility, service or role claim)');
    expect(await reason(issuer.sign({ facility: '7900' }))).toBe('token has no valid facility claim');
    expect(await reason(issuer.sign({ facility: '79a01' }))).toBe('token has no valid facility claim');
    expect(await reason(issuer.sign({ extra: { facility: 79001 } }))).toBe('token has no valid facility claim');
    expect(await reason(Promise.resolve('not.a.jwt'))).toBe('ERR_JWS_INVALID');
  });

  describe('principals', () => {
    it('reads a service token: its own name, no facility', async () => {
      const token = await issuer.sign({ service: 'lab-results-service', scope: 'lienthong/act-for system/Patient.cu', sub: 'svc-lab' });
      const verified = await verifier.verify(token);
      expect(verified.principal).toEqual({ kind: 'service', service: 'lab-results-service' });
      expect(verified.scopes).toEqual(['lienthong/act-for', 'system/Patient.cu']);
    });

    it('reads a person token: role, and province where the role has one', async () => {
      const provincial = await verifier.verify(await issuer.sign({ role: 'provincial-analyst', province: '79', sub: 'u-1' }));
      expect(provincial.principal).toEqual({ kind: 'person', role: 'provincial-analyst', province: '79' });
      const ministry = await verifier.verify(await issuer.sign({ role: 'ministry-analyst', sub: 'u-2' }));
      expect(ministry.principal).toEqual({ kind: 'person', role: 'ministry-analyst' });
      const steward = await verifier.verify(await issuer.sign({ role: 'data-steward', sub: 'u-3' }));
      expect(steward.principal).toEqual({ kind: 'person', role: 'data-steward' });
      const provincialSteward = await verifier.verify(await issuer.sign({ role: 'data-steward', province: '01', sub: 'u-4' }));
      expect(provincialSteward.principal).toEqual({ kind: 'person', role: 'data-steward', province: '01' });
    });

    it('refuses people with a bad, missing or meaningless province, or a role it does not know', async () => {
      expect(await reason(issuer.sign({ role: 'provincial-analyst', province: '7' }))).toBe('token has no valid province claim');
      expect(await reason(issuer.sign({ role: 'provincial-analyst', province: '79001' }))).toBe('token has no valid province claim');
      expect(await reason(issuer.sign({ role: 'data-steward', extra: { province: 79 } }))).toBe('token has no valid province claim');
      expect(await reason(issuer.sign({ role: 'provincial-analyst' }))).toBe('a provincial-analyst token needs a province claim');
      expect(await reason(issuer.sign({ role: 'ministry-analyst', province: '79' }))).toBe('a ministry-analyst token carries no province claim');
      expect(await reason(issuer.sign({ role: 'admin' }))).toBe('token has an unknown role claim');
    });

    it('refuses a token naming two principals, e.g. a facility and a role', async () => {
      // Deciding which one "wins" would let the route's check pick the caller's identity.
      expect(await reason(issuer.sign({ facility: '79001', role: 'data-steward' }))).toBe('token names more than one principal (facility, role)');
      expect(await reason(issuer.sign({ facility: '79001', service: 'lab-results-service' }))).toBe(
        'token names more than one principal (facility, service)',
      );
    });

    it('refuses malformed service names', async () => {
      expect(await reason(issuer.sign({ service: 'Lab Results' }))).toBe('token has no valid service claim');
      expect(await reason(issuer.sign({ service: '' }))).toBe('token has no valid service claim');
    });

    it('grants lienthong/act-for to service tokens only', async () => {
      expect(await reason(issuer.sign({ facility: '79001', scope: 'lienthong/act-for' }))).toBe('lienthong/act-for is granted only to service tokens');
      expect(await reason(issuer.sign({ role: 'data-steward', scope: 'lienthong/act-for' }))).toBe(
        'lienthong/act-for is granted only to service tokens',
      );
    });
  });

  it('does not let the token choose the algorithm', async () => {
    // An HS256 token "signed" with the public key as the HMAC secret: the classic alg-confusion attack.
    const { SignJWT } = await import('jose');
    const forged = new SignJWT({ facility: '79001' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer.issuer)
      .setAudience(issuer.audience)
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(issuer.publicKeyPem));
    expect(await reason(forged)).toBe('algorithm not allowed');
  });

  describe('verified-token cache', () => {
    afterEach(() => jest.useRealTimers());

    it('reuses the verification of a token presented again (same frozen result)', async () => {
      const token = await issuer.sign({ facility: '79001', scope: 'system/Patient.rs' });
      const first = await verifier.verify(token);
      expect(await verifier.verify(token)).toBe(first);
      expect(Object.isFrozen(first) && Object.isFrozen(first.scopes)).toBe(true);
    });

    it('never honours a remembered token after its expiry', async () => {
      const cached = new JwtVerifier({ publicKey: issuer.publicKeyPem, issuer: issuer.issuer, audience: issuer.audience });
      const token = await issuer.sign({ facility: '79001', ttlSeconds: 60 });
      await cached.verify(token);
      jest.useFakeTimers({ now: Date.now() + 2 * 60 * 60 * 1000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      expect(await reason(Promise.resolve(token), cached)).toBe('token expired');
    });

    it('verifies every time when disabled', async () => {
      const uncached = new JwtVerifier({ publicKey: issuer.publicKeyPem, issuer: issuer.issuer, audience: issuer.audience, verifiedCacheSize: 0 });
      const token = await issuer.sign({ facility: '79001' });
      expect(await uncached.verify(token)).not.toBe(await uncached.verify(token));
    });
  });
});
