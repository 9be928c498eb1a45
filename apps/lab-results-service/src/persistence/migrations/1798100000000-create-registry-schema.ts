import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The registry's tables (registry/adapters/persistence/registry.entities.ts; the schema check asserts nothing differs). */
export class CreateRegistrySchema1798100000000 implements MigrationInterface {
  readonly name = 'CreateRegistrySchema1798100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "facilities" (
      "code" character varying(5) NOT NULL,
      "level" character varying(16) NOT NULL,
      "province_code" character varying(2) NOT NULL,
      "lab_quality_level" character varying(8) NOT NULL,
      "iso15189_scope" text array NOT NULL,
      "sensitive" boolean NOT NULL,
      "version" integer NOT NULL,
      CONSTRAINT "pk_facilities" PRIMARY KEY ("code"))`);
    await q.query(`CREATE TABLE "patients" (
      "enterprise_patient_id" uuid NOT NULL,
      "merged_into" uuid,
      "known_since" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_patients" PRIMARY KEY ("enterprise_patient_id"))`);
    await q.query(`CREATE INDEX "ix_patients_merged_into" ON "patients" ("merged_into") WHERE "merged_into" IS NOT NULL`);
    await q.query(`CREATE TABLE "patient_links" (
      "facility_code" character varying(5) NOT NULL,
      "local_id" character varying(100) NOT NULL,
      "enterprise_patient_id" uuid NOT NULL,
      CONSTRAINT "pk_patient_links" PRIMARY KEY ("facility_code", "local_id"))`);
    // hasLink: (patient, facility) — and a merge's links by patient.
    await q.query(`CREATE INDEX "ix_patient_links_patient" ON "patient_links" ("enterprise_patient_id", "facility_code")`);
    await q.query(`CREATE TABLE "patient_merges" (
      "merge_id" uuid NOT NULL,
      "survivor_id" uuid NOT NULL,
      "merged_id" uuid NOT NULL,
      "moved_result_ids" uuid array NOT NULL,
      "merged_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "unmerged_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "pk_patient_merges" PRIMARY KEY ("merge_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['patient_merges', 'patient_links', 'patients', 'facilities']) await q.query(`DROP TABLE "${table}"`);
  }
}
