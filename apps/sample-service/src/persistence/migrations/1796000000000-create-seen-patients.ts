import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateSeenPatients1796000000000 implements MigrationInterface {
  readonly name = 'CreateSeenPatients1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE seen_patients (
        facility_code          text        NOT NULL,
        local_id               text        NOT NULL,
        enterprise_patient_id  uuid        NOT NULL,
        sightings              integer     NOT NULL,
        first_seen_at          timestamptz NOT NULL,
        last_seen_at           timestamptz NOT NULL,
        PRIMARY KEY (facility_code, local_id)
      );
      CREATE INDEX seen_patients_enterprise_patient_id_idx ON seen_patients (enterprise_patient_id);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE seen_patients');
  }
}
