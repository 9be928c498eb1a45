import { InjectConfig } from '@lienthong/platform';
import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { type LabResultsConfig } from '../../../config/lab-results.config';
import { type VisitDemographics } from '../../domain/demographics';
import { DemographicsVault } from '../../ports/demographics-vault.port';

/** Fake, public development key (32 bytes, base64). Refused when NODE_ENV=production. */
const DEV_DEMOGRAPHICS_KEY = 'ZGV2LW9ubHktbGFiLWRlbW9ncmFwaGljcy1rZXkhISE=';
const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class DemographicsKeyError extends Error {
  override readonly name = 'DemographicsKeyError';
}

/** LAB_DEMOGRAPHICS_KEY as 32 bytes; the development key outside production; a readable error (never the value) otherwise. */
export function demographicsKey(config: Pick<LabResultsConfig, 'lab' | 'service'>): Buffer {
  const given = config.lab.demographicsKey?.trim();
  if (given === undefined || given === '') {
    if (config.service.environment === 'production') throw new DemographicsKeyError('LAB_DEMOGRAPHICS_KEY is required when NODE_ENV=production');
    return Buffer.from(DEV_DEMOGRAPHICS_KEY, 'base64');
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(given)) throw new DemographicsKeyError('LAB_DEMOGRAPHICS_KEY: key is not base64');
  const key = Buffer.from(given, 'base64');
  if (key.length !== 32) throw new DemographicsKeyError(`LAB_DEMOGRAPHICS_KEY: key must decode to 32 bytes, got ${key.length}`);
  return key;
}

/**
 * AES-256-GCM with a random 96-bit IV per value: `[format 1][IV 12][tag 16][ciphertext]`, the visit's
 * context as additional data. Fingerprints are HMAC-SHA-256 under a key derived (HKDF) from the same
 * secret for that purpose only.
 */
@Injectable()
export class AesDemographicsVault extends DemographicsVault {
  private readonly key: Buffer;
  private readonly fingerprintKey: Buffer;

  constructor(@InjectConfig() config: LabResultsConfig) {
    super();
    this.key = demographicsKey(config);
    this.fingerprintKey = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), 'lienthong lab visit fingerprint', 32));
  }

  seal(demographics: VisitDemographics, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(demographics), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, context: string): VisitDemographics {
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT) throw new Error('not a sealed demographics value');
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as VisitDemographics;
  }

  fingerprint(content: string): string {
    return createHmac('sha256', this.fingerprintKey).update(content).digest('hex');
  }
}
