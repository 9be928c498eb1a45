import { z } from 'zod';

/**
 * Keys protecting identifier values at rest. Validated once at boot; a bad key fails fast with the
 * variable's name (never its value). Development gets fixed, obviously-fake defaults so `nx serve`
 * works; production must supply every key.
 */
export interface IdentityKeysConfig {
  /** keyId → 32-byte AES-256-GCM key. Old keys stay listed so rows written with them still decrypt. */
  readonly encryptionKeys: ReadonlyMap<string, Buffer>;
  /** Key id used to encrypt new values. */
  readonly activeKeyId: string;
  /** HMAC-SHA-256 key for blind indexes. Rotating it means rebuilding every index: keep it stable. */
  readonly blindIndexKey: Buffer;
}

export class IdentityConfigError extends Error {
  override readonly name = 'IdentityConfigError';
}

// Fake, public development keys: 32 bytes each, base64. Refused when NODE_ENV=production.
const DEV_ENCRYPTION_KEYS = 'dev1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzJieXRlcyE=';
const DEV_ACTIVE_KEY = 'dev1';
const DEV_BLIND_INDEX_KEY = 'ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyYnl0ZXM=';

const keyIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'key id is 1–32 characters [A-Za-z0-9_.-]');

function decodeKey(variable: string, base64: string): Buffer {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    throw new IdentityConfigError(`${variable}: key is not base64`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new IdentityConfigError(`${variable}: key must decode to 32 bytes, got ${key.length}`);
  }
  return key;
}

export function loadIdentityKeys(env: NodeJS.ProcessEnv = process.env): IdentityKeysConfig {
  const production = env['NODE_ENV'] === 'production';
  const pick = (name: string, devDefault: string): string => {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value;
    if (production) throw new IdentityConfigError(`${name} is required when NODE_ENV=production`);
    return devDefault;
  };

  const rawKeys = pick('IDENTITY_ENCRYPTION_KEYS', DEV_ENCRYPTION_KEYS);
  const encryptionKeys = new Map<string, Buffer>();
  for (const entry of rawKeys.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new IdentityConfigError('IDENTITY_ENCRYPTION_KEYS: expected keyId:base64key,…');
    const keyId = entry.slice(0, colon);
    const parsedId = keyIdSchema.safeParse(keyId);
    if (!parsedId.success) {
      throw new IdentityConfigError(`IDENTITY_ENCRYPTION_KEYS: ${parsedId.error.issues[0]?.message ?? 'bad key id'}`);
    }
    if (encryptionKeys.has(keyId)) throw new IdentityConfigError(`IDENTITY_ENCRYPTION_KEYS: key id ${keyId} listed twice`);
    encryptionKeys.set(keyId, decodeKey(`IDENTITY_ENCRYPTION_KEYS[${keyId}]`, entry.slice(colon + 1)));
  }
  if (encryptionKeys.size === 0) throw new IdentityConfigError('IDENTITY_ENCRYPTION_KEYS lists no key');

  const activeKeyId = pick('IDENTITY_ENCRYPTION_ACTIVE_KEY', DEV_ACTIVE_KEY).trim();
  if (!encryptionKeys.has(activeKeyId)) {
    throw new IdentityConfigError(`IDENTITY_ENCRYPTION_ACTIVE_KEY: key id ${activeKeyId} is not in IDENTITY_ENCRYPTION_KEYS`);
  }
  const blindIndexKey = decodeKey('IDENTITY_BLIND_INDEX_KEY', pick('IDENTITY_BLIND_INDEX_KEY', DEV_BLIND_INDEX_KEY));
  for (const [keyId, key] of encryptionKeys) {
    if (key.equals(blindIndexKey)) {
      throw new IdentityConfigError(`IDENTITY_BLIND_INDEX_KEY must differ from encryption key ${keyId}`);
    }
  }
  return { encryptionKeys, activeKeyId, blindIndexKey };
}
