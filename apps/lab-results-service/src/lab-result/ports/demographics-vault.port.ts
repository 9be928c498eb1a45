import { type VisitDemographics } from '../domain/demographics';

/**
 * Keeps a waiting visit's demographics (CCCD, name, birth date) encrypted at rest until identity has
 * resolved the patient. `context` binds a ciphertext to its visit (facility and MA_LK): a value copied
 * to another row does not open.
 */
export abstract class DemographicsVault {
  abstract seal(demographics: VisitDemographics, context: string): Buffer;
  /** Throws when the value was not sealed with this key and context. */
  abstract open(sealed: Buffer, context: string): VisitDemographics;
  /** A keyed digest of `content` (hex): compares visit contents without storing anything a dictionary could reverse. */
  abstract fingerprint(content: string): string;
}
