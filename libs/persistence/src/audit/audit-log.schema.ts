import { Column, Entity, Index, type MigrationInterface, PrimaryGeneratedColumn, type QueryRunner } from 'typeorm';

/** `audit_log` as TypeORM sees it (a service lists it among its entities so its schema check covers it). */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_patient_time', ['patientId', 'occurredAt'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_audit_log' })
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** facility | service | person (platform actor kinds). */
  @Column({ name: 'actor_kind', type: 'varchar', length: 16 })
  actorKind!: string;

  @Column({ name: 'actor_subject', type: 'text' })
  actorSubject!: string;

  @Column({ name: 'acting_service', type: 'text', nullable: true })
  actingService!: string | null;

  /** The facility the caller spoke for (its own, or the one a service acted for). */
  @Column({ name: 'facility_code', type: 'varchar', length: 5, nullable: true })
  facilityCode!: string | null;

  @Column({ name: 'purpose_of_use', type: 'varchar', length: 32 })
  purposeOfUse!: string;

  @Column({ type: 'varchar', length: 48 })
  action!: string;

  @Column({ name: 'patient_id', type: 'uuid', nullable: true })
  patientId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  detail!: Record<string, unknown>;
}

/** The shared audit table, for services created after identity-service (which has the same shape from its own migrations). */
export class CreateAuditLog1795600000002 implements MigrationInterface {
  readonly name = 'CreateAuditLog1795600000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "audit_log" (
      "id" BIGSERIAL NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "actor_kind" character varying(16) NOT NULL,
      "actor_subject" text NOT NULL,
      "acting_service" text,
      "facility_code" character varying(5),
      "purpose_of_use" character varying(32) NOT NULL,
      "action" character varying(48) NOT NULL,
      "patient_id" uuid,
      "outcome" character varying(16) NOT NULL,
      "request_id" text,
      "detail" jsonb NOT NULL DEFAULT '{}',
      CONSTRAINT "pk_audit_log" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_audit_log_patient_time" ON "audit_log" ("patient_id", "occurred_at")`);
    // Append-only: the trail must survive a compromised or buggy service account.
    await q.query(`CREATE FUNCTION "audit_log_reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% rejected)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
      FOR EACH ROW EXECUTE FUNCTION "audit_log_reject_change"()`);
    await q.query(`CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
      FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_reject_change"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_log"`);
    await q.query(`DROP FUNCTION "audit_log_reject_change"()`);
  }
}
