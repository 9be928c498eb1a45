import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The lab_results table, written to match LabResultEntity (the int test asserts nothing differs). */
export class CreateLabResults1795991917595 implements MigrationInterface {
  readonly name = 'CreateLabResults1795991917595';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "lab_results" (
      "id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "note" text NOT NULL,
      "created_by" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_lab_results" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_lab_results_facility" ON "lab_results" ("facility_code", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "lab_results"`);
  }
}
