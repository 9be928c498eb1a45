import { type Db, type Tx } from '@lienthong/persistence';
import { type LinkMove, type PatientSighting, type SeenPatient } from '../domain/seen-patient';
import { SeenPatientRepository } from '../ports/seen-patient.repository';

/** The port's behaviour over a Map, for use-case specs (the SQL is covered by the e2e test). */
export class InMemorySeenPatientRepository extends SeenPatientRepository {
  readonly rows = new Map<string, SeenPatient>();

  record(_tx: Tx, sighting: PatientSighting, at: Date): void {
    const key = `${sighting.facilityCode}/${sighting.localId}`;
    const known = this.rows.get(key);
    this.rows.set(key, {
      ...sighting,
      sightings: (known?.sightings ?? 0) + 1,
      firstSeenAt: known && known.firstSeenAt < at ? known.firstSeenAt : at,
      lastSeenAt: known && known.lastSeenAt > at ? known.lastSeenAt : at,
    });
  }

  moveLinks(_tx: Tx, move: LinkMove, at: Date): void {
    for (const link of move.links) {
      const key = `${link.facilityCode}/${link.localId}`;
      const known = this.rows.get(key);
      if (known?.enterprisePatientId !== move.from) continue;
      this.rows.set(key, { ...known, enterprisePatientId: move.to, sightings: known.sightings + 1, lastSeenAt: known.lastSeenAt > at ? known.lastSeenAt : at });
    }
  }

  async listAtFacility(_db: Db, facilityCode: string, limit: number): Promise<SeenPatient[]> {
    return [...this.rows.values()].filter((r) => r.facilityCode === facilityCode).sort((a, b) => a.localId.localeCompare(b.localId)).slice(0, limit);
  }
}

/** A transaction nobody reads: the in-memory repository applies writes at once. */
export const unusedTx: Tx = {
  query: () => Promise.reject(new Error('the in-memory repository sends no SQL')),
  write: () => undefined,
  signal: () => undefined,
};
