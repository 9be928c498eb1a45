import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Audit rows name the kind of caller (facility system, a service acting for a facility, a person) and,
 * for a service, the service itself next to the facility it spoke for. Existing rows were all written
 * by facility systems, hence the default.
 */
export class AuditActorKinds1796000000000 implements MigrationInterface {
  name = 'AuditActorKinds1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_log" ADD "actor_kind" character varying(16) NOT NULL DEFAULT 'facility'`);
    await q.query(`ALTER TABLE "audit_log" ADD "acting_service" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_log" DROP COLUMN "acting_service"`);
    await q.query(`ALTER TABLE "audit_log" DROP COLUMN "actor_kind"`);
  }
}
