import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * consent-service's schema, written to match consent.entities.ts (the int test asserts nothing differs).
 * `audit_log` is the platform's (CreateAuditLog1795600000002, @lienthong/persistence), listed before it.
 */
export class CreateConsentSchema1798000000000 implements MigrationInterface {
  readonly name = 'CreateConsentSchema1798000000000';

  async up(q: QueryRunner): Promise<void> {
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
    await q.query(`CREATE INDEX "ix_patient_links_patient" ON "patient_links" ("enterprise_patient_id")`);
    await q.query(`CREATE TABLE "facilities" (
      "code" character varying(5) NOT NULL,
      "level" character varying(16) NOT NULL,
      "province_code" character varying(2) NOT NULL,
      "sensitive" boolean NOT NULL,
      "version" integer NOT NULL,
      CONSTRAINT "pk_facilities" PRIMARY KEY ("code"))`);
    await q.query(`CREATE TABLE "consents" (
      "consent_id" uuid NOT NULL,
      "enterprise_patient_id" uuid NOT NULL,
      "original_patient_id" uuid NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_consents" PRIMARY KEY ("consent_id"))`);
    await q.query(`CREATE INDEX "ix_consents_patient" ON "consents" ("enterprise_patient_id")`);
    await q.query(`CREATE TABLE "consent_versions" (
      "consent_id" uuid NOT NULL,
      "version" integer NOT NULL,
      "status" character varying(16) NOT NULL,
      "purposes" text array NOT NULL,
      "categories" text array NOT NULL,
      "grantees" jsonb NOT NULL,
      "valid_from" TIMESTAMP WITH TIME ZONE NOT NULL,
      "valid_until" TIMESTAMP WITH TIME ZONE,
      "channel" character varying(16) NOT NULL,
      "reference" text,
      "document_sha256" character(64),
      "recorded_by" text NOT NULL,
      "recorded_at_facility" character varying(5) NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "informed_of_sensitivity" boolean NOT NULL,
      "representative" jsonb,
      "recorded_by_subject" text NOT NULL,
      CONSTRAINT "pk_consent_versions" PRIMARY KEY ("consent_id", "version"))`);
    // History is never edited: a change is a new version.
    await q.query(`CREATE FUNCTION "consent_versions_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'consent_versions is append-only'; END $$`);
    await q.query(`CREATE TRIGGER "trg_consent_versions_append_only" BEFORE UPDATE OR DELETE ON "consent_versions"
      FOR EACH ROW EXECUTE FUNCTION "consent_versions_append_only"()`);
    await q.query(`CREATE TABLE "consent_expiries" (
      "consent_id" uuid NOT NULL,
      "version" integer NOT NULL,
      "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "published_at" TIMESTAMP WITH TIME ZONE,
      "superseded" boolean NOT NULL DEFAULT false,
      CONSTRAINT "pk_consent_expiries" PRIMARY KEY ("consent_id", "version"))`);
    await q.query(`CREATE INDEX "ix_consent_expiries_due" ON "consent_expiries" ("ends_at") WHERE "published_at" IS NULL AND "superseded" = false`);
    await q.query(`CREATE TABLE "patient_merges" (
      "merge_id" uuid NOT NULL,
      "survivor_id" uuid NOT NULL,
      "merged_id" uuid NOT NULL,
      "moved_consent_ids" uuid array NOT NULL,
      "merged_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "unmerged_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "pk_patient_merges" PRIMARY KEY ("merge_id"))`);
    await q.query(`CREATE TABLE "emergency_accesses" (
      "id" uuid NOT NULL,
      "enterprise_patient_id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "clinician_id" character varying(100) NOT NULL,
      "reason" text NOT NULL,
      "granted_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "actor_subject" text NOT NULL,
      CONSTRAINT "pk_emergency_accesses" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_emergency_accesses_patient" ON "emergency_accesses" ("enterprise_patient_id", "expires_at")`);
    await q.query(`CREATE INDEX "ix_emergency_accesses_facility" ON "emergency_accesses" ("facility_code", "granted_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['emergency_accesses', 'patient_merges', 'consent_expiries', 'consent_versions', 'consents', 'facilities', 'patient_links', 'patients']) {
      await q.query(`DROP TABLE "${table}"`);
    }
    await q.query(`DROP FUNCTION "consent_versions_append_only"()`);
  }
}
