import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The ingest's schema (visits, results and their versions, submissions), written to match lab-result.entities.ts (the int test asserts nothing differs). */
export class CreateIngestSchema1798200000000 implements MigrationInterface {
  readonly name = 'CreateIngestSchema1798200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "visits" (
      "visit_id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "ma_lk" character varying(100) NOT NULL,
      "status" character varying(16) NOT NULL,
      "enterprise_patient_id" uuid,
      "demographics" bytea,
      "lines" jsonb NOT NULL,
      "content_hash" character(64) NOT NULL,
      "generation" integer NOT NULL,
      "attempts" integer NOT NULL,
      "next_attempt_at" TIMESTAMP WITH TIME ZONE,
      "last_error" text,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "uq_visits_facility_ma_lk" UNIQUE ("facility_code", "ma_lk"),
      CONSTRAINT "pk_visits" PRIMARY KEY ("visit_id"))`);
    await q.query(`CREATE INDEX "ix_visits_due" ON "visits" ("next_attempt_at") WHERE "status" = 'pending-patient'`);
    await q.query(`CREATE TABLE "lab_results" (
      "result_id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "ma_lk" character varying(100) NOT NULL,
      "line_key" character varying(120) NOT NULL,
      "enterprise_patient_id" uuid NOT NULL,
      "catalogue_code" character varying(20),
      "version" integer NOT NULL,
      "status" character varying(16) NOT NULL,
      "collected_at" TIMESTAMP WITH TIME ZONE,
      "performed_at" TIMESTAMP WITH TIME ZONE,
      "result_at" TIMESTAMP WITH TIME ZONE,
      "qualitative" character varying(8),
      "content_hash" character(64) NOT NULL,
      "result" jsonb NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "uq_lab_results_line" UNIQUE ("facility_code", "ma_lk", "line_key"),
      CONSTRAINT "pk_lab_results" PRIMARY KEY ("result_id"))`);
    await q.query(`CREATE INDEX "ix_lab_results_patient_test" ON "lab_results" ("enterprise_patient_id", "catalogue_code")`);
    await q.query(`CREATE TABLE "lab_result_versions" (
      "result_id" uuid NOT NULL,
      "version" integer NOT NULL,
      "status" character varying(16) NOT NULL,
      "content_hash" character(64) NOT NULL,
      "result" jsonb NOT NULL,
      "submission_id" uuid,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_lab_result_versions" PRIMARY KEY ("result_id", "version"))`);
    await q.query(`CREATE TABLE "submissions" (
      "submission_id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "submitted_by" text NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_submissions" PRIMARY KEY ("submission_id"))`);
    await q.query(`CREATE TABLE "submission_visits" (
      "submission_id" uuid NOT NULL,
      "position" integer NOT NULL,
      "ma_lk" character varying(100),
      "visit_id" uuid,
      "outcome" character varying(16) NOT NULL,
      "results" jsonb NOT NULL,
      "errors" jsonb NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_submission_visits" PRIMARY KEY ("submission_id", "position"))`);
    await q.query(`CREATE INDEX "ix_submission_visits_waiting" ON "submission_visits" ("visit_id") WHERE "outcome" = 'pending-patient'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "submission_visits"`);
    await q.query(`DROP TABLE "submissions"`);
    await q.query(`DROP TABLE "lab_result_versions"`);
    await q.query(`DROP TABLE "lab_results"`);
    await q.query(`DROP TABLE "visits"`);
  }
}
