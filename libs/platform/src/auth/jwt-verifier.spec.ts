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
      facilityCode: '79001',
      scopes: ['system/Patient.rs', 'system/Observation.cruds'],
    });
  });

  it('accepts the key as a JWK too', async () => {
    const jwk = JSON.stringify(createPublicKey(issuer.publicKeyPem).export({ format: 'jwk' }));
    const jwkVerifier = new JwtVerifier({ publicKey: jwk, issuer: issuer.issuer, audience: issuer.audience });
    await expect(jwkVerifier.verify(await issuer.sign({ facility: '79001' }))).resolves.toMatchObject({ facilityCode: '79001' });
  });

  it('refuses expired tokens, wrong issuer or audience, other keys and missing facility', async () => {
    expect(await reason(issuer.sign({ facility: '79001', ttlSeconds: -120 }))).toBe('token expired');
    expect(await reason(issuer.sign({ facility: '79001', issuer: 'https://evil.example' }))).toMatch(/claim iss/);
    expect(await reason(issuer.sign({ facility: '79001', audience: 'someone-else' }))).toMatch(/claim aud/);
    expect(await reason(createTestIssuer().sign({ facility: '79001' }))).toBe('signature invalid');
    expect(await reason(issuer.sign({}))).toBe('token has no valid facility claim');
    expect(await reason(issuer.sign({ facility: '7900' }))).toBe('token has no valid facility claim');
    expect(await reason(Promise.resolve('not.a.jwt'))).toBeTruthy();
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
