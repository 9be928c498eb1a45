import { JwtVerifier } from '@lienthong/platform';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labResultsConfig } from '../../../config/lab-results.config';
import { SignedServiceToken } from './signed-service-token';

describe('SignedServiceToken', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const dir = mkdtempSync(join(tmpdir(), 'lab-token-'));
  const keyFile = join(dir, 'private.pem');
  writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const env = { NODE_ENV: 'test', AUTH_PUBLIC_KEY: publicKey, AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'lienthong' };

  it('signs a service token the platform verifier accepts, with exactly the scopes asked, cached per scope set', async () => {
    const tokens = new SignedServiceToken(labResultsConfig.load({ ...env, LAB_SERVICE_TOKEN_KEY_FILE: keyFile }));
    const token = await tokens.get(['system/Patient.cu', 'lienthong/act-for']);
    const verified = await new JwtVerifier({ publicKey, issuer: 'https://issuer.test', audience: 'lienthong' }).verify(token);
    expect(verified.principal).toEqual({ kind: 'service', service: 'lab-results-service' });
    expect([...verified.scopes].sort()).toEqual(['lienthong/act-for', 'system/Patient.cu']);
    expect(await tokens.get(['lienthong/act-for', 'system/Patient.cu'])).toBe(token);
    expect(await tokens.get(['lienthong/consent.decide'])).not.toBe(token);
  });

  it('holds no credentials in production without a key file: every call rejects', async () => {
    const tokens = new SignedServiceToken(labResultsConfig.load({ ...env, NODE_ENV: 'production', LAB_DEMOGRAPHICS_KEY: Buffer.alloc(32, 7).toString('base64') }));
    await expect(tokens.get(['lienthong/consent.decide'])).rejects.toThrow(/no service credentials/);
  });

  it('a key file that cannot be read is no boot failure: every call rejects, naming the file', async () => {
    const tokens = new SignedServiceToken(labResultsConfig.load({ ...env, LAB_SERVICE_TOKEN_KEY_FILE: join(dir, 'missing.pem') }));
    await expect(tokens.get(['lienthong/act-for'])).rejects.toThrow(/missing.pem/);
  });
});
