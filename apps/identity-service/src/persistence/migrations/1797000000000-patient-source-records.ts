import { type MigrationInterface, type QueryRunner } from 'typeorm';

const DEMOGRAPHICS = `
      "full_name" text NOT NULL,
      "name_folded" text NOT NULL,
      "birth_year" smallint,
      "birth_month" smallint,
      "birth_day" smallint,
      "sex" smallint NOT NULL,
      "province_code" character(2),
      "commune_code" character varying(5),
      "address_line" text,
      "phone" character varying(15),
      "cccd_verified" boolean NOT NULL,
      "disputed_fields" jsonb NOT NULL DEFAULT '[]',
      "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL`;

/**
 * Each facility link's own source record and the append-only history of every report, so the shared
 * patient row can be computed by survivorship instead of being overwritten by the last facility to
 * post; review items gain a kind (a report contradicting a CCCD-verified value is a `conflict`), with
 * at most one open conflict per link. Schema only: existing links get their source records from the
 * backfill migration that follows.
 */
export class PatientSourceRecords1797000000000 implements MigrationInterface {
  name = 'PatientSourceRecords1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "patient_source_records" (
      "link_id" uuid NOT NULL,${DEMOGRAPHICS},
      CONSTRAINT "chk_patient_source_records_sex" CHECK ("sex" IN (1, 2, 3)),
      CONSTRAINT "pk_patient_source_records" PRIMARY KEY ("link_id"))`);
    await q.query(`ALTER TABLE "patient_source_records" ADD CONSTRAINT "fk_patient_source_records_link"
      FOREIGN KEY ("link_id") REFERENCES "facility_links"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);

    await q.query(`CREATE TABLE "patient_source_history" (
      "id" BIGSERIAL NOT NULL,
      "link_id" uuid NOT NULL,
      "patient_id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "local_id" character varying(100) NOT NULL,${DEMOGRAPHICS},
      CONSTRAINT "chk_patient_source_history_sex" CHECK ("sex" IN (1, 2, 3)),
      CONSTRAINT "pk_patient_source_history" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_patient_source_history_link" ON "patient_source_history" ("link_id")`);
    await q.query(`CREATE INDEX "ix_patient_source_history_patient" ON "patient_source_history" ("patient_id", "id")`);
    // Append-only, like audit_log: who said what must survive a buggy or compromised service account.
    await q.query(`CREATE FUNCTION "patient_source_history_reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'patient_source_history is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER "patient_source_history_append_only" BEFORE UPDATE OR DELETE ON "patient_source_history"
      FOR EACH ROW EXECUTE FUNCTION "patient_source_history_reject_change"()`);
    await q.query(`CREATE TRIGGER "patient_source_history_no_truncate" BEFORE TRUNCATE ON "patient_source_history"
      FOR EACH STATEMENT EXECUTE FUNCTION "patient_source_history_reject_change"()`);

    await q.query(`ALTER TABLE "review_items" ADD "kind" character varying(16) NOT NULL DEFAULT 'duplicate'`);
    await q.query(`ALTER TABLE "review_items" ADD CONSTRAINT "chk_review_items_kind" CHECK ("kind" IN ('duplicate', 'conflict'))`);
    await q.query(`CREATE UNIQUE INDEX "ux_review_items_open_conflict" ON "review_items" ("incoming_patient_id", "facility_code", "local_id")
      WHERE "kind" = 'conflict' AND "status" = 'open'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ux_review_items_open_conflict"`);
    await q.query(`ALTER TABLE "review_items" DROP CONSTRAINT "chk_review_items_kind"`);
    await q.query(`ALTER TABLE "review_items" DROP COLUMN "kind"`);
    await q.query(`DROP TRIGGER "patient_source_history_no_truncate" ON "patient_source_history"`);
    await q.query(`DROP TRIGGER "patient_source_history_append_only" ON "patient_source_history"`);
    await q.query(`DROP TABLE "patient_source_history"`);
    await q.query(`DROP FUNCTION "patient_source_history_reject_change"()`);
    await q.query(`DROP TABLE "patient_source_records"`);
  }
}
