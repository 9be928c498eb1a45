import { IdentityConfigError, loadIdentityKeys } from '../config/identity-keys.config';
import { IdentifierCrypto, IdentifierDecryptionError } from './identifier-crypto';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const env = (over: Record<string, string> = {}) => ({
  IDENTITY_ENCRYPTION_KEYS: `k1:${key(1)},k2:${key(2)}`,
  IDENTITY_ENCRYPTION_ACTIVE_KEY: 'k2',
  IDENTITY_BLIND_INDEX_KEY: key(9),
  ...over,
});

describe('IdentifierCrypto', () => {
  const crypto = new IdentifierCrypto(loadIdentityKeys(env()));

  it('round-trips a value under the active key with a fresh IV each time', () => {
    const a = crypto.encrypt('cccd', '079185000123');
    const b = crypto.encrypt('cccd', '079185000123');
    expect(a.keyId).toBe('k2');
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(crypto.decrypt('cccd', a)).toBe('079185000123');
    expect(a.ciphertext.includes(Buffer.from('079185000123'))).toBe(false);
  });

  it('still decrypts values written under an old key and re-encrypts them (rotation)', () => {
    const old = new IdentifierCrypto(loadIdentityKeys(env({ IDENTITY_ENCRYPTION_ACTIVE_KEY: 'k1' }))).encrypt('cccd', '079185000123');
    expect(old.keyId).toBe('k1');
    expect(crypto.hasKey('k1')).toBe(true);
    expect(crypto.hasKey('k0')).toBe(false);
    expect(crypto.decrypt('cccd', old)).toBe('079185000123');
    const fresh = crypto.reencrypt('cccd', old);
    expect(fresh?.keyId).toBe('k2');
    expect(crypto.reencrypt('cccd', fresh ?? old)).toBeUndefined();
  });

  it('detects tampering, a wrong system (associated data) and unknown key ids', () => {
    const stored = crypto.encrypt('cccd', '079185000123');
    const tampered = Buffer.from(stored.ciphertext);
    tampered[14] = (tampered[14] ?? 0) ^ 1;
    expect(() => crypto.decrypt('cccd', { ...stored, ciphertext: tampered })).toThrow(IdentifierDecryptionError);
    expect(() => crypto.decrypt('passport', stored)).toThrow(IdentifierDecryptionError);
    expect(() => crypto.decrypt('cccd', { ...stored, keyId: 'gone' })).toThrow(/unknown encryption key id/);
  });

  it('gives a deterministic, system-scoped, keyed blind index', () => {
    const a = crypto.blindIndex('cccd', '079185000123');
    expect(a).toHaveLength(32);
    expect(crypto.blindIndex('cccd', '079185000123').equals(a)).toBe(true);
    expect(crypto.blindIndex('cmnd', '079185000123').equals(a)).toBe(false);
    const otherKey = new IdentifierCrypto(loadIdentityKeys(env({ IDENTITY_BLIND_INDEX_KEY: key(8) })));
    expect(otherKey.blindIndex('cccd', '079185000123').equals(a)).toBe(false);
  });
});

describe('loadIdentityKeys', () => {
  it('requires every key in production and accepts dev defaults otherwise', () => {
    expect(() => loadIdentityKeys({ NODE_ENV: 'production' })).toThrow(IdentityConfigError);
    expect(loadIdentityKeys({ NODE_ENV: 'development' }).activeKeyId).toBe('dev1');
  });

  it('rejects short keys, unknown active key ids and a blind-index key equal to an encryption key', () => {
    expect(() => loadIdentityKeys(env({ IDENTITY_ENCRYPTION_KEYS: `k1:${Buffer.alloc(16).toString('base64')}`, IDENTITY_ENCRYPTION_ACTIVE_KEY: 'k1' }))).toThrow(/32 bytes/);
    expect(() => loadIdentityKeys(env({ IDENTITY_ENCRYPTION_ACTIVE_KEY: 'k9' }))).toThrow(/not in IDENTITY_ENCRYPTION_KEYS/);
    expect(() => loadIdentityKeys(env({ IDENTITY_BLIND_INDEX_KEY: key(1) }))).toThrow(/must differ/);
  });

  it('never puts a key in an error message', () => {
    try {
      loadIdentityKeys(env({ IDENTITY_BLIND_INDEX_KEY: 'bm90LWEta2V5' }));
    } catch (error) {
      expect(String(error)).not.toContain('bm90LWEta2V5');
    }
  });
});
