import { type Db, type Tx } from '@lienthong/persistence';
import { useTx, type Snapshottable } from '@lienthong/testing';
import { type Facility, type FacilityInput } from '../../src/facilities/domain/facility';
import { FacilityRegistry, type FacilityFilter } from '../../src/facilities/ports/facility-registry.port';

export interface FacilityHistoryRow {
  readonly code: string;
  readonly version: number;
  readonly snapshot: FacilityInput;
  readonly changedBy: string;
  readonly changedAt: Date;
}

/** The facility registry over two in-memory tables, filtered and ordered as facility.repository.ts does. */
export class InMemoryFacilityRegistry extends FacilityRegistry implements Snapshottable {
  facilities = new Map<string, Facility>();
  history: FacilityHistoryRow[] = [];

  snapshot(): () => void {
    const [facilities, history] = [new Map(this.facilities), [...this.history]];
    return () => {
      this.facilities = facilities;
      this.history = history;
    };
  }

  async find(db: Db, code: string): Promise<Facility | undefined> {
    useTx(db);
    return this.facilities.get(code);
  }

  async lockForChange(tx: Tx, code: string): Promise<Facility | undefined> {
    useTx(tx);
    return this.facilities.get(code);
  }

  async list(db: Db, f: FacilityFilter): Promise<Facility[]> {
    useTx(db);
    return [...this.facilities.values()]
      .filter((x) => (f.provinceCode === undefined || x.provinceCode === f.provinceCode) && (f.level === undefined || x.level === f.level) && (f.after === undefined || x.code > f.after))
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .slice(0, f.limit);
  }

  saveVersion(tx: Tx, facility: Facility, snapshot: FacilityInput, changedBy: string): void {
    useTx(tx);
    if (this.history.some((h) => h.code === facility.code && h.version === facility.version)) {
      throw new Error('duplicate key value violates unique constraint "ix_facility_history_code_version"');
    }
    this.facilities.set(facility.code, facility);
    this.history.push({ code: facility.code, version: facility.version, snapshot, changedBy, changedAt: facility.updatedAt });
  }
}
