import type { Db, Tx } from '@lienthong/persistence';
import { type FacilityProfile } from '../domain/decide';

export interface FacilityRecord extends FacilityProfile {
  readonly sensitive: boolean;
  readonly version: number;
}

/** This service's copy of the facility registry, kept from `identity.facility.v1`. */
export abstract class FacilityDirectory {
  /** Profiles of the codes known; unknown codes are absent. May serve from a short in-process cache. */
  abstract profiles(db: Db, codes: readonly string[]): Promise<Map<string, FacilityProfile>>;
  /** Inserts or replaces the facility unless a newer version is already stored. */
  abstract upsert(tx: Tx, facility: FacilityRecord): void;
}
