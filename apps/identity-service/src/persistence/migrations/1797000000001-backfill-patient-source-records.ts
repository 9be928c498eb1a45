import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Data, not schema: every link made before source records existed gets one, holding the patient's
 * current values (who reported what was not kept, so every link is taken to have reported the shared
 * record as it stands) and cccd_verified when the facility reported an active CCCD the patient holds.
 * Its history starts with the same row. Links that already have a source record are left alone.
 */
export class BackfillPatientSourceRecords1797000000001 implements MigrationInterface {
  name = 'BackfillPatientSourceRecords1797000000001';

  async up(q: QueryRunner): Promise<void> {
    // One statement: the rows to backfill are computed once and feed both tables.
    await q.query(`WITH src AS (
        SELECT f.id AS link_id, f.patient_id, f.facility_code, f.local_id, p.full_name, p.name_folded, p.birth_year, p.birth_month, p.birth_day,
               p.sex, p.province_code, p.commune_code, p.address_line, p.phone,
               EXISTS (SELECT 1 FROM patient_identifiers i WHERE i.patient_id = p.id AND i.system = 'cccd' AND i.status = 'active'
                          AND i.source_facility = f.facility_code) AS cccd_verified,
               f.updated_at AS reported_at
          FROM facility_links f JOIN patients p ON p.id = f.patient_id
         WHERE NOT EXISTS (SELECT 1 FROM patient_source_records s WHERE s.link_id = f.id)
      ), records AS (
        INSERT INTO patient_source_records (link_id, full_name, name_folded, birth_year, birth_month, birth_day, sex, province_code,
            commune_code, address_line, phone, cccd_verified, reported_at)
        SELECT link_id, full_name, name_folded, birth_year, birth_month, birth_day, sex, province_code, commune_code, address_line, phone, cccd_verified, reported_at
          FROM src
      )
      INSERT INTO patient_source_history (link_id, patient_id, facility_code, local_id, full_name, name_folded, birth_year, birth_month,
          birth_day, sex, province_code, commune_code, address_line, phone, cccd_verified, reported_at)
      SELECT link_id, patient_id, facility_code, local_id, full_name, name_folded, birth_year, birth_month, birth_day, sex, province_code,
             commune_code, address_line, phone, cccd_verified, reported_at
        FROM src ORDER BY link_id`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the schema migration's down drops the tables these rows live in.
  }
}
