import { type Db, type Tx } from '@lienthong/persistence';
import { type FacilityLevel } from '@lienthong/vn-standards';
import { type Facility, type FacilityInput } from '../domain/facility';

export interface FacilityFilter {
  readonly provinceCode?: string | undefined;
  readonly level?: FacilityLevel | undefined;
  /** Cursor: the last code of the previous page. */
  readonly after?: string | undefined;
  readonly limit: number;
}

/** The facility registry: current versions plus an append-only history of every version. */
export abstract class FacilityRegistry {
  abstract find(db: Db, code: string): Promise<Facility | undefined>;
  /** The facility locked for a change (two concurrent edits make two versions, never a lost update). */
  abstract lockForChange(tx: Tx, code: string): Promise<Facility | undefined>;
  abstract list(db: Db, filter: FacilityFilter): Promise<Facility[]>;
  /** Writes the new current version and its history row. */
  abstract saveVersion(tx: Tx, facility: Facility, snapshot: FacilityInput, changedBy: string): void;
}
