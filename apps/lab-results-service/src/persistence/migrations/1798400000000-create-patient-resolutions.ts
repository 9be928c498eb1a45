import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** What identity answered per (facility, MA_BN) and a keyed fingerprint of what it was sent (lab-result.entities.ts PatientResolutionEntity). */
export class CreatePatientResolutions1798400000000 implements MigrationInterface {
  readonly name = 'CreatePatientResolutions1798400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "patient_resolutions" (
      "facility_code" character varying(5) NOT NULL,
      "local_id" character varying(100) NOT NULL,
      "enterprise_patient_id" uuid NOT NULL,
      "demographics_hash" character(64) NOT NULL,
      "resolved_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_patient_resolutions" PRIMARY KEY ("facility_code", "local_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "patient_resolutions"`);
  }
}
