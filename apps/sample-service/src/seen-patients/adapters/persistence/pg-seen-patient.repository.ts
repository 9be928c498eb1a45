import { type Db, type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type LinkMove, type PatientSighting, type SeenPatient } from '../../domain/seen-patient';
import { SeenPatientRepository } from '../../ports/seen-patient.repository';

interface SeenPatientRow {
  facility_code: string;
  local_id: string;
  enterprise_patient_id: string;
  sightings: number;
  first_seen_at: Date;
  last_seen_at: Date;
}

@Injectable()
export class PgSeenPatientRepository extends SeenPatientRepository {
  record(tx: Tx, sighting: PatientSighting, at: Date): void {
    tx.write(
      (p) => `INSERT INTO seen_patients (facility_code, local_id, enterprise_patient_id, sightings, first_seen_at, last_seen_at)
              VALUES (${p(sighting.facilityCode)}, ${p(sighting.localId)}, ${p(sighting.enterprisePatientId)}, 1, ${p(at)}, ${p(at)})
              ON CONFLICT (facility_code, local_id) DO UPDATE
                SET enterprise_patient_id = EXCLUDED.enterprise_patient_id,
                    sightings = seen_patients.sightings + 1,
                    first_seen_at = LEAST(seen_patients.first_seen_at, EXCLUDED.first_seen_at),
                    last_seen_at = GREATEST(seen_patients.last_seen_at, EXCLUDED.last_seen_at)`,
    );
  }

  moveLinks(tx: Tx, move: LinkMove, at: Date): void {
    tx.write(
      (p) => `UPDATE seen_patients
                 SET enterprise_patient_id = ${p(move.to)}, sightings = sightings + 1, last_seen_at = GREATEST(last_seen_at, ${p(at)})
               WHERE enterprise_patient_id = ${p(move.from)}
                 AND (facility_code, local_id) IN (SELECT * FROM unnest(${p(move.links.map((l) => l.facilityCode))}::text[], ${p(move.links.map((l) => l.localId))}::text[]))`,
    );
  }

  async listAtFacility(db: Db, facilityCode: string, limit: number): Promise<SeenPatient[]> {
    const rows = await db.query<SeenPatientRow>(
      `SELECT facility_code, local_id, enterprise_patient_id, sightings, first_seen_at, last_seen_at
         FROM seen_patients WHERE facility_code = $1 ORDER BY local_id LIMIT $2`,
      [facilityCode, limit],
    );
    return rows.map((r) => ({
      facilityCode: r.facility_code,
      localId: r.local_id,
      enterprisePatientId: r.enterprise_patient_id,
      sightings: r.sightings,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at,
    }));
  }
}
