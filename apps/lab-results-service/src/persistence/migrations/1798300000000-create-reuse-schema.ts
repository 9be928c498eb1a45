import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The reuse context's schema (checks, their tests, doctors' decisions), written to match reuse.entities.ts (the int test asserts nothing differs). */
export class CreateReuseSchema1798300000000 implements MigrationInterface {
  readonly name = 'CreateReuseSchema1798300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "reuse_checks" (
      "check_id" uuid NOT NULL,
      "enterprise_patient_id" uuid NOT NULL,
      "requesting_facility" character varying(5) NOT NULL,
      "purpose" character varying(32) NOT NULL,
      "rule_set_version" character varying(64) NOT NULL,
      "checked_for" TIMESTAMP WITH TIME ZONE NOT NULL,
      "checked_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "requested_by" text NOT NULL,
      "patient_given_as" character varying(16) NOT NULL,
      CONSTRAINT "pk_reuse_checks" PRIMARY KEY ("check_id"))`);
    await q.query(`CREATE INDEX "ix_reuse_checks_patient" ON "reuse_checks" ("enterprise_patient_id")`);
    await q.query(`CREATE TABLE "reuse_check_tests" (
      "check_id" uuid NOT NULL,
      "test_code" character varying(64) NOT NULL,
      "position" smallint NOT NULL,
      "asked_as" character varying(64) NOT NULL,
      "catalogue_code" character varying(20),
      "consent_category" character varying(32),
      "outcome" character varying(16) NOT NULL,
      "reason" character varying(32),
      "result_id" uuid,
      "result_version" integer,
      "performing_facility" character varying(5),
      "valid_until" TIMESTAMP WITH TIME ZONE,
      "window_from" character varying(16),
      "price_vnd" integer,
      CONSTRAINT "pk_reuse_check_tests" PRIMARY KEY ("check_id", "test_code"))`);
    await q.query(`CREATE TABLE "reuse_decisions" (
      "decision_id" uuid NOT NULL,
      "check_id" uuid NOT NULL,
      "test_code" character varying(64) NOT NULL,
      "decision" character varying(8) NOT NULL,
      "retest_reason" character varying(32),
      "result_id" uuid,
      "price_avoided_vnd" integer NOT NULL,
      "rule_set_version" character varying(64) NOT NULL,
      "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "decided_by" text NOT NULL,
      CONSTRAINT "pk_reuse_decisions" PRIMARY KEY ("decision_id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_reuse_decisions_test" ON "reuse_decisions" ("check_id", "test_code")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "reuse_decisions"`);
    await q.query(`DROP TABLE "reuse_check_tests"`);
    await q.query(`DROP TABLE "reuse_checks"`);
  }
}
