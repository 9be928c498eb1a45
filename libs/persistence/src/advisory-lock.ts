import { createHash } from 'node:crypto';

/** A 64-bit advisory-lock key from a namespaced digest (a collision only costs an extra wait). */
export function advisoryLockKey(namespace: string, material: Buffer | string): bigint {
  return createHash('sha256').update(namespace).update('\u0000').update(material).digest().readBigInt64BE(0);
}
