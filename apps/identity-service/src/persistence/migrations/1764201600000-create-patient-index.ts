import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The master patient index. Written by hand (kept identical to what the entities describe — an int
 * test asserts the schema builder finds nothing to change) plus what entities cannot express: the
 * append-only trigger on audit_log.
 */
export class CreatePatientIndex1764201600000 implements MigrationInterface {
  name = 'CreatePatientIndex1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "patients" (
      "id" uuid NOT NULL,
      "status" character varying(16) NOT NULL,
      "merged_into" uuid,
      "full_name" text NOT NULL,
      "name_folded" text NOT NULL,
      "name_token_key" text NOT NULL,
      "birth_year" smallint,
      "birth_month" smallint,
      "birth_day" smallint,
      "birth_precision" character varying(5),
      "sex" smallint NOT NULL,
      "province_code" character(2),
      "commune_code" character varying(5),
      "address_line" text,
      "phone" character varying(15),
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "version" integer NOT NULL,
      CONSTRAINT "chk_patients_merged_into" CHECK (("status" = 'merged') = ("merged_into" IS NOT NULL)),
      CONSTRAINT "chk_patients_birth_precision" CHECK ("birth_precision" IS NULL OR "birth_precision" IN ('year', 'month', 'day')),
      CONSTRAINT "chk_patients_sex" CHECK ("sex" IN (1, 2, 3)),
      CONSTRAINT "chk_patients_status" CHECK ("status" IN ('active', 'merged')),
      CONSTRAINT "pk_patients" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_patients_phone" ON "patients" ("phone")`);

    await q.query(`CREATE TABLE "patient_identifiers" (
      "id" uuid NOT NULL,
      "patient_id" uuid NOT NULL,
      "system" character varying(16) NOT NULL,
      "value_ciphertext" bytea NOT NULL,
      "key_id" character varying(32) NOT NULL,
      "blind_index" bytea NOT NULL,
      "status" character varying(16) NOT NULL,
      "source_facility" character varying(5) NOT NULL,
      "flags" jsonb NOT NULL DEFAULT '[]',
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "chk_patient_identifiers_status" CHECK ("status" IN ('active', 'cancelled', 're-issued')),
      CONSTRAINT "chk_patient_identifiers_system" CHECK ("system" IN ('cccd', 'cmnd', 'passport', 'eid', 'bhyt')),
      CONSTRAINT "pk_patient_identifiers" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_patient_identifiers_patient" ON "patient_identifiers" ("patient_id")`);
    await q.query(`CREATE INDEX "ix_patient_identifiers_lookup" ON "patient_identifiers" ("system", "blind_index")`);

    await q.query(`CREATE TABLE "facility_links" (
      "id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "local_id" character varying(100) NOT NULL,
      "patient_id" uuid NOT NULL,
      "original_patient_id" uuid NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_facility_links" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_facility_links_patient" ON "facility_links" ("patient_id")`);
    await q.query(`CREATE UNIQUE INDEX "ux_facility_links_local" ON "facility_links" ("facility_code", "local_id")`);

    await q.query(`CREATE TABLE "review_items" (
      "id" uuid NOT NULL,
      "incoming_patient_id" uuid NOT NULL,
      "candidate_patient_id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "local_id" character varying(100) NOT NULL,
      "score" double precision NOT NULL,
      "comparisons" jsonb NOT NULL,
      "warnings" jsonb NOT NULL DEFAULT '[]',
      "status" character varying(16) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "decided_by" text,
      "decided_at" TIMESTAMP WITH TIME ZONE,
      "merge_id" uuid,
      CONSTRAINT "chk_review_items_status" CHECK ("status" IN ('open', 'confirmed', 'rejected')),
      CONSTRAINT "pk_review_items" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_review_items_incoming" ON "review_items" ("incoming_patient_id")`);
    await q.query(`CREATE INDEX "ix_review_items_candidate" ON "review_items" ("candidate_patient_id")`);
    await q.query(`CREATE INDEX "ix_review_items_status_created" ON "review_items" ("status", "created_at")`);

    await q.query(`CREATE TABLE "merges" (
      "id" uuid NOT NULL,
      "survivor_id" uuid NOT NULL,
      "merged_id" uuid NOT NULL,
      "moved_links" jsonb NOT NULL,
      "moved_identifier_ids" uuid array NOT NULL,
      "merged_by" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "undone_at" TIMESTAMP WITH TIME ZONE,
      "undone_by" text,
      CONSTRAINT "pk_merges" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_merges_survivor" ON "merges" ("survivor_id")`);
    await q.query(`CREATE INDEX "ix_merges_merged" ON "merges" ("merged_id")`);

    await q.query(`CREATE TABLE "audit_log" (
      "id" BIGSERIAL NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "actor_subject" text NOT NULL,
      "facility_code" character varying(5),
      "purpose_of_use" character varying(32) NOT NULL,
      "action" character varying(48) NOT NULL,
      "patient_id" uuid,
      "outcome" character varying(16) NOT NULL,
      "request_id" text,
      "detail" jsonb NOT NULL DEFAULT '{}',
      CONSTRAINT "pk_audit_log" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_audit_log_patient_time" ON "audit_log" ("patient_id", "occurred_at")`);
    // Append-only: the audit trail must survive a compromised or buggy service account.
    await q.query(`CREATE FUNCTION "audit_log_reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
      FOR EACH ROW EXECUTE FUNCTION "audit_log_reject_change"()`);
    await q.query(`CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_reject_change"()`);

    await q.query(`CREATE TABLE "idempotency_keys" (
      "facility_code" character varying(5) NOT NULL,
      "key" character varying(128) NOT NULL,
      "operation" character varying(48) NOT NULL,
      "request_hash" bytea NOT NULL,
      "response" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_idempotency_keys" PRIMARY KEY ("facility_code", "key"))`);

    await q.query(`CREATE TABLE "patient_blocking_keys" (
      "blocking_key" bytea NOT NULL,
      "patient_id" uuid NOT NULL,
      CONSTRAINT "pk_patient_blocking_keys" PRIMARY KEY ("blocking_key", "patient_id"))`);
    await q.query(`CREATE INDEX "ix_patient_blocking_keys_patient" ON "patient_blocking_keys" ("patient_id")`);

    await q.query(`ALTER TABLE "patient_identifiers" ADD CONSTRAINT "fk_patient_identifiers_patient"
      FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "facility_links" ADD CONSTRAINT "fk_facility_links_patient"
      FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "patient_blocking_keys"`);
    await q.query(`DROP TABLE "idempotency_keys"`);
    await q.query(`DROP TRIGGER "audit_log_no_truncate" ON "audit_log"`);
    await q.query(`DROP TRIGGER "audit_log_append_only" ON "audit_log"`);
    await q.query(`DROP TABLE "audit_log"`);
    await q.query(`DROP FUNCTION "audit_log_reject_change"()`);
    await q.query(`DROP TABLE "merges"`);
    await q.query(`DROP TABLE "review_items"`);
    await q.query(`DROP TABLE "facility_links"`);
    await q.query(`DROP TABLE "patient_identifiers"`);
    await q.query(`DROP TABLE "patients"`);
  }
}
