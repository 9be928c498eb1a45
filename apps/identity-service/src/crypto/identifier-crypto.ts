import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { loadIdentityKeys, type IdentityKeysConfig } from '../config/identity-keys.config';
import { type IdentityConfig } from '../config/identity.config';
import { type EncryptedValue } from '../patients/domain/patient';

export class IdentifierDecryptionError extends Error {
  override readonly name = 'IdentifierDecryptionError';
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for identifier values and HMAC-SHA-256 blind indexes for equality lookup.
 *
 * The identifier system is bound into both as associated data / HMAC input, so a CCCD ciphertext
 * cannot be replayed as a passport and equal digits in different systems never share an index.
 * Rotation: new values use the active key; any listed key still decrypts, and the rotate-keys job
 * (`reencrypt`) moves rows written under an old key onto the active one.
 */
export class IdentifierCrypto {
  constructor(private readonly keys: IdentityKeysConfig) {}

  get activeKeyId(): string {
    return this.keys.activeKeyId;
  }

  encrypt(system: string, value: string): EncryptedValue {
    const key = this.keys.encryptionKeys.get(this.keys.activeKeyId);
    if (!key) throw new Error('active encryption key missing'); // prevented by config validation
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(system, 'utf8'));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return { ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]), keyId: this.keys.activeKeyId };
  }

  decrypt(system: string, stored: EncryptedValue): string {
    const key = this.keys.encryptionKeys.get(stored.keyId);
    if (!key) throw new IdentifierDecryptionError(`unknown encryption key id ${stored.keyId}`);
    if (stored.ciphertext.length < IV_BYTES + TAG_BYTES) throw new IdentifierDecryptionError('ciphertext too short');
    const iv = stored.ciphertext.subarray(0, IV_BYTES);
    const tag = stored.ciphertext.subarray(stored.ciphertext.length - TAG_BYTES);
    const body = stored.ciphertext.subarray(IV_BYTES, stored.ciphertext.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(system, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      // Never echo the value or the key: only that authentication failed.
      throw new IdentifierDecryptionError('identifier ciphertext failed authentication');
    }
  }

  /** Whether `keyId` is configured, i.e. values written under it can still be decrypted. */
  hasKey(keyId: string): boolean {
    return this.keys.encryptionKeys.has(keyId);
  }

  /** Decrypts with whatever key wrote it and, when that key is old, re-encrypts under the active key. */
  reencrypt(system: string, stored: EncryptedValue): EncryptedValue | undefined {
    if (stored.keyId === this.keys.activeKeyId) return undefined;
    return this.encrypt(system, this.decrypt(system, stored));
  }

  /** Deterministic keyed index: equal (system, value) pairs give equal 32-byte digests. */
  blindIndex(system: string, value: string): Buffer {
    return createHmac('sha256', this.keys.blindIndexKey).update(system, 'utf8').update('\u0000').update(value, 'utf8').digest();
  }
}

/** Identifier crypto from the validated config: a missing or short key stops the process before it serves. */
export function identifierCryptoFrom(config: IdentityConfig): IdentifierCrypto {
  return new IdentifierCrypto(
    loadIdentityKeys({
      NODE_ENV: config.service.environment,
      IDENTITY_ENCRYPTION_KEYS: config.identity.encryptionKeys,
      IDENTITY_ENCRYPTION_ACTIVE_KEY: config.identity.activeKey,
      IDENTITY_BLIND_INDEX_KEY: config.identity.blindIndexKey,
    }),
  );
}
