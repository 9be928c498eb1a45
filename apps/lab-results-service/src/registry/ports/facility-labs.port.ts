import type { Db, Tx } from '@lienthong/persistence';
import { type FacilityLab, type FacilityRecord } from '../domain/facility-lab';

/**
 * This service's copy of identity's facility registry (`facilities`, kept from `identity.facility.v1`):
 * what the reuse check needs of the requesting and the performing facilities.
 */
export abstract class FacilityLabs {
  /**
   * The profiles of the codes known; unknown codes are absent from the map. Served from a short
   * in-process cache (a registry change reaches other replicas when their entry expires, seconds);
   * an unreadable copy is an error, never "unknown facility".
   */
  abstract profiles(db: Db, codes: readonly string[]): Promise<Map<string, FacilityLab>>;
  /** Inserts or replaces the facility unless a newer version is already stored. */
  abstract upsert(tx: Tx, facility: FacilityRecord): void;
}
