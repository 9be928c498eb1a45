import { Injectable } from '@nestjs/common';
import { type Db } from '@lienthong/persistence';
import { type ResolvedPatient } from '../domain/patient';
import { PatientStore, type PatientLookup } from '../ports/patient-store.port';
import { SensitiveFacilities } from '../ports/sensitive-facilities.port';

/**
 * Reads patients by id or identifier for the read use cases: merge chains, patients, identifiers and
 * links in one statement, plus one sensitive-facility check for all of them.
 */
@Injectable()
export class PatientResolver {
  constructor(
    private readonly patients: PatientStore,
    private readonly sensitive: SensitiveFacilities,
  ) {}

  /** Each asked id resolved (merges followed), in the order asked; undefined where there is none. */
  async byIds(db: Db, ids: readonly string[], sourcesOf: string | undefined): Promise<(ResolvedPatient | undefined)[]> {
    const resolved = new Map((await this.resolve(db, ids, sourcesOf)).map((r) => [r.asked, r.resolved]));
    return ids.map((id) => resolved.get(id));
  }

  /** Every patient holding the identifier (any status), each resolved, ordered by the id the identifier points at. */
  async byIdentifier(db: Db, lookup: Exclude<PatientLookup, readonly string[]>, sourcesOf: string | undefined): Promise<ResolvedPatient[]> {
    return (await this.resolve(db, lookup, sourcesOf)).map((r) => r.resolved);
  }

  private async resolve(db: Db, lookup: PatientLookup, sourcesOf: string | undefined): Promise<{ asked: string; resolved: ResolvedPatient }[]> {
    const rows = await this.patients.resolve(db, lookup, sourcesOf);
    if (rows.length === 0) return [];
    const sensitive = await this.sensitive.among(db, rows.flatMap((r) => r.facts.links.map((l) => l.facilityCode)));
    return rows.map(({ asked, facts }) => ({
      asked,
      resolved: {
        facts,
        redirectedFrom: facts.patient.id === asked ? undefined : asked,
        sensitiveFacilities: new Set(facts.links.map((l) => l.facilityCode).filter((c) => sensitive.has(c))),
      },
    }));
  }
}
