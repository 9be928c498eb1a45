import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateFacilities1764115200000 implements MigrationInterface {
  name = 'CreateFacilities1764115200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "facilities" (
      "code" character varying(5) NOT NULL,
      "name" text NOT NULL,
      "province_code" character(2) NOT NULL,
      "level" character varying(16) NOT NULL,
      "historical_tier" character varying(16) NOT NULL,
      "lab_quality_level" character varying(8) NOT NULL,
      "iso15189_scope" text array NOT NULL DEFAULT '{}',
      "sensitive" boolean NOT NULL DEFAULT false,
      "synthetic" boolean NOT NULL DEFAULT false,
      "valid_from" date NOT NULL,
      "valid_to" date,
      "version" integer NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_bf808b325b190fb9049254ba55e" PRIMARY KEY ("code"))`);
    await q.query(`CREATE INDEX "ix_facilities_province" ON "facilities" ("province_code")`);
    await q.query(`CREATE TABLE "facility_history" (
      "id" BIGSERIAL NOT NULL,
      "code" character varying(5) NOT NULL,
      "version" integer NOT NULL,
      "snapshot" jsonb NOT NULL,
      "changed_by" text NOT NULL,
      "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_1b0e82d4fc5c7254b551add8afd" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "ix_facility_history_code_version" ON "facility_history" ("code", "version")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "facility_history"`);
    await q.query(`DROP TABLE "facilities"`);
  }
}
