import type { Db, Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import {
  type EmergencyAccess,
  type EmergencyAccessFilter,
  EmergencyAccessStore,
  type EmergencyAccessSummary,
} from '../../ports/emergency-access-store.port';

interface AccessRow {
  id: string;
  enterprise_patient_id: string;
  facility_code: string;
  clinician_id: string;
  reason: string;
  granted_at: Date;
  expires_at: Date;
}

/** The report's filter, as parameters $1–$4 of both report statements (grant time, facility, province). */
const REPORT_WHERE = `ea.granted_at >= $1 AND ea.granted_at < $2
  AND ($3::varchar IS NULL OR ea.facility_code = $3)
  AND ($4::varchar IS NULL OR ea.facility_code IN (SELECT f.code FROM facilities f WHERE f.province_code = $4))`;

const reportParams = (f: EmergencyAccessFilter) => [f.from, f.to, f.facilityCode ?? null, f.provinceCode ?? null];

/** `emergency_accesses`: the grants, and the report of them per facility. */
@Injectable()
export class EmergencyAccessRepository extends EmergencyAccessStore {
  record(tx: Tx, a: EmergencyAccess & { readonly actorSubject: string }): void {
    tx.write(
      (p) =>
        `INSERT INTO emergency_accesses (id, enterprise_patient_id, facility_code, clinician_id, reason, granted_at, expires_at, actor_subject)
         VALUES (${p(a.id)}::uuid, ${p(a.enterprisePatientId)}::uuid, ${p(a.facilityCode)}, ${p(a.clinicianId)}, ${p(a.reason)}, ${p(a.grantedAt)}::timestamptz, ${p(a.expiresAt)}::timestamptz, ${p(a.actorSubject)})`,
    );
  }

  async summarise(db: Db, filter: EmergencyAccessFilter): Promise<EmergencyAccessSummary[]> {
    const rows = await db.query<{ facility_code: string; count: number; distinct_patients: number }>(
      `SELECT ea.facility_code, count(*)::int AS count, count(DISTINCT ea.enterprise_patient_id)::int AS distinct_patients
         FROM emergency_accesses ea WHERE ${REPORT_WHERE}
        GROUP BY ea.facility_code ORDER BY ea.facility_code`,
      reportParams(filter),
    );
    return rows.map((r) => ({ facilityCode: r.facility_code, count: r.count, distinctPatients: r.distinct_patients }));
  }

  async list(db: Db, filter: EmergencyAccessFilter, limit: number): Promise<EmergencyAccess[]> {
    const rows = await db.query<AccessRow>(
      `SELECT ea.id, ea.enterprise_patient_id, ea.facility_code, ea.clinician_id, ea.reason, ea.granted_at, ea.expires_at
         FROM emergency_accesses ea WHERE ${REPORT_WHERE}
        ORDER BY ea.facility_code, ea.granted_at, ea.id LIMIT $5`,
      [...reportParams(filter), limit],
    );
    return rows.map((r) => ({
      id: r.id,
      enterprisePatientId: r.enterprise_patient_id,
      facilityCode: r.facility_code,
      clinicianId: r.clinician_id,
      reason: r.reason,
      grantedAt: r.granted_at,
      expiresAt: r.expires_at,
    }));
  }
}
