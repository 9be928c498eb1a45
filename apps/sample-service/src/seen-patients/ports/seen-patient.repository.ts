import { type Db, type Tx } from '@lienthong/persistence';
import { type LinkMove, type PatientSighting, type SeenPatient } from '../domain/seen-patient';

/** The facility links this service has seen. Writes are queued on the caller's transaction. */
export abstract class SeenPatientRepository {
  /** Records the link, or counts one more sighting of it (re-pointing it at `enterprisePatientId`). */
  abstract record(tx: Tx, sighting: PatientSighting, at: Date): void;
  /** Re-points the listed links held by `move.from` at `move.to`; links never seen stay unknown. */
  abstract moveLinks(tx: Tx, move: LinkMove, at: Date): void;
  abstract listAtFacility(db: Db, facilityCode: string, limit: number): Promise<SeenPatient[]>;
}
