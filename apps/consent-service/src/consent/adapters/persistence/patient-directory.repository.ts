import { type Db, type Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type LinkSituation, PatientDirectory } from '../../ports/patient-directory.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface FacilityLink {
  readonly facilityCode: string;
  readonly localId: string;
}

/** `patients` and `patient_links`: the patients identity announced, and where each is registered. */
@Injectable()
export class PatientDirectoryRepository extends PatientDirectory {
  async linkSituation(db: Db, link: FacilityLink & { readonly enterprisePatientId: string }): Promise<LinkSituation> {
    const [row] = await db.query<{ known: boolean; merged_into: string | null; held_by: string | null }>(
      `SELECT EXISTS (SELECT 1 FROM patients WHERE enterprise_patient_id = $1::uuid) AS known,
              (SELECT merged_into FROM patients WHERE enterprise_patient_id = $1::uuid) AS merged_into,
              (SELECT enterprise_patient_id FROM patient_links WHERE facility_code = $2 AND local_id = $3) AS held_by`,
      [link.enterprisePatientId, link.facilityCode, link.localId],
    );
    return { known: row?.known ?? false, mergedInto: row?.merged_into ?? null, heldBy: row?.held_by ?? undefined };
  }

  async known(db: Db, enterprisePatientIds: readonly string[]): Promise<Set<string>> {
    // Answered in the caller's spelling; a string that is no UUID is simply not a patient.
    const asked = new Map(enterprisePatientIds.filter((id) => UUID.test(id)).map((id) => [id.toLowerCase(), id]));
    if (asked.size === 0) return new Set();
    const rows = await db.query<{ id: string }>(`SELECT enterprise_patient_id AS id FROM patients WHERE enterprise_patient_id = ANY($1::uuid[])`, [[...asked.keys()]]);
    return new Set(rows.map((r) => asked.get(r.id) ?? r.id));
  }

  async registeredAt(db: Db, enterprisePatientIds: readonly string[], facilityCode: string): Promise<boolean> {
    const ids = [...new Set(enterprisePatientIds.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
    if (ids.length === 0) return false;
    const [row] = await db.query<{ registered: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM patient_links WHERE enterprise_patient_id = ANY($1::uuid[]) AND facility_code = $2) AS registered`,
      [ids, facilityCode],
    );
    return row?.registered ?? false;
  }

  recordLink(tx: Tx, link: FacilityLink & { readonly enterprisePatientId: string }, at: Date): void {
    tx.write(
      (p) => `INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES (${p(link.enterprisePatientId)}::uuid, NULL, ${p(at)})
              ON CONFLICT (enterprise_patient_id) DO NOTHING`,
    );
    this.pointLinks(tx, link.enterprisePatientId, [link]);
  }

  moveLinks(tx: Tx, to: string, links: readonly FacilityLink[]): void {
    this.pointLinks(tx, to, links);
  }

  markMerged(tx: Tx, mergedId: string, survivorId: string | null): void {
    tx.write(
      (p) => `INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES (${p(mergedId)}::uuid, ${p(survivorId)}::uuid, now())
              ON CONFLICT (enterprise_patient_id) DO UPDATE SET merged_into = EXCLUDED.merged_into`,
    );
    // identity names the survivor only in the merge when its own registration is on another partition.
    if (survivorId !== null) {
      tx.write(
        (p) => `INSERT INTO patients (enterprise_patient_id, merged_into, known_since) VALUES (${p(survivorId)}::uuid, NULL, now())
                ON CONFLICT (enterprise_patient_id) DO NOTHING`,
      );
    }
  }

  /** Points the links at the patient, creating those not seen yet (identity's word is the latest). */
  private pointLinks(tx: Tx, to: string, links: readonly FacilityLink[]): void {
    // One row per link: ON CONFLICT DO UPDATE may touch a row only once per statement.
    const unique = [...new Map(links.map((l) => [`${l.facilityCode}\u0000${l.localId}`, l])).values()];
    if (unique.length === 0) return;
    tx.write(
      (p) => `INSERT INTO patient_links (facility_code, local_id, enterprise_patient_id)
              SELECT l.facility_code, l.local_id, ${p(to)}::uuid
                FROM unnest(${p(unique.map((l) => l.facilityCode))}::text[], ${p(unique.map((l) => l.localId))}::text[]) AS l(facility_code, local_id)
              ON CONFLICT (facility_code, local_id) DO UPDATE SET enterprise_patient_id = EXCLUDED.enterprise_patient_id
                WHERE patient_links.enterprise_patient_id <> EXCLUDED.enterprise_patient_id`,
    );
  }
}
