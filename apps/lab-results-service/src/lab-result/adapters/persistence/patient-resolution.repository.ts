import type { Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type PatientResolutionRecord, PatientResolutions } from '../../ports/patient-resolutions.port';

/**
 * The patient already known for (facility, local id) with demographics of this fingerprint — the
 * parameters' positions given — or NULL: what identity answered when last sent exactly these, unless
 * the registry's copy of identity's word (`patients.merged_into`, `patient_links`) says it has moved
 * since. Primary-key lookups, as a scalar subquery of the ingest's visit lock (visit.repository.ts).
 */
export function knownPatientSql(facilityCode: string, localId: string, fingerprint: string): string {
  return `(SELECT r.enterprise_patient_id
             FROM patient_resolutions r
             LEFT JOIN patients p ON p.enterprise_patient_id = r.enterprise_patient_id
             LEFT JOIN patient_links l ON l.facility_code = r.facility_code AND l.local_id = r.local_id
            WHERE r.facility_code = ${facilityCode} AND r.local_id = ${localId} AND r.demographics_hash = ${fingerprint}
              AND p.merged_into IS NULL
              AND (l.enterprise_patient_id IS NULL OR l.enterprise_patient_id = r.enterprise_patient_id))`;
}

/** `patient_resolutions`, each statement once (the lookup: knownPatientSql). */
@Injectable()
export class PatientResolutionRepository extends PatientResolutions {
  record(tx: Tx, r: PatientResolutionRecord): void {
    tx.write(
      (p) => `INSERT INTO patient_resolutions (facility_code, local_id, enterprise_patient_id, demographics_hash, resolved_at)
        VALUES (${p(r.facilityCode)}, ${p(r.localId)}, ${p(r.enterprisePatientId)}::uuid, ${p(r.fingerprint)}, ${p(r.at)}::timestamptz)
        ON CONFLICT (facility_code, local_id) DO UPDATE SET enterprise_patient_id = EXCLUDED.enterprise_patient_id,
          demographics_hash = EXCLUDED.demographics_hash, resolved_at = EXCLUDED.resolved_at`,
    );
  }
}
