import type { Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type LocalPatient, type PatientResolutionRecord, PatientResolutions } from '../../ports/patient-resolutions.port';

/**
 * `patient_resolutions`, each statement once. The lookup reads the registry's copy of identity's word
 * (`patients.merged_into`, `patient_links`) in the same statement: primary-key lookups, one round trip.
 */
@Injectable()
export class PatientResolutionRepository extends PatientResolutions {
  async known(tx: Tx, patient: LocalPatient, fingerprint: string): Promise<string | undefined> {
    const [row] = await tx.query<{ id: string }>(
      `SELECT r.enterprise_patient_id AS id
         FROM patient_resolutions r
         LEFT JOIN patients p ON p.enterprise_patient_id = r.enterprise_patient_id
         LEFT JOIN patient_links l ON l.facility_code = r.facility_code AND l.local_id = r.local_id
        WHERE r.facility_code = $1 AND r.local_id = $2 AND r.demographics_hash = $3
          AND p.merged_into IS NULL
          AND (l.enterprise_patient_id IS NULL OR l.enterprise_patient_id = r.enterprise_patient_id)`,
      [patient.facilityCode, patient.localId, fingerprint],
    );
    return row?.id;
  }

  record(tx: Tx, r: PatientResolutionRecord): void {
    tx.write(
      (p) => `INSERT INTO patient_resolutions (facility_code, local_id, enterprise_patient_id, demographics_hash, resolved_at)
        VALUES (${p(r.facilityCode)}, ${p(r.localId)}, ${p(r.enterprisePatientId)}::uuid, ${p(r.fingerprint)}, ${p(r.at)}::timestamptz)
        ON CONFLICT (facility_code, local_id) DO UPDATE SET enterprise_patient_id = EXCLUDED.enterprise_patient_id,
          demographics_hash = EXCLUDED.demographics_hash, resolved_at = EXCLUDED.resolved_at`,
    );
  }
}
