import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The consents table, written to match ConsentEntity (the int test asserts nothing differs). */
export class CreateConsents1795989524617 implements MigrationInterface {
  readonly name = 'CreateConsents1795989524617';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "consents" (
      "id" uuid NOT NULL,
      "facility_code" character varying(5) NOT NULL,
      "note" text NOT NULL,
      "created_by" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "pk_consents" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_consents_facility" ON "consents" ("facility_code", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "consents"`);
  }
}
