import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

import { type AuditOutcome } from '../../patients/ports/audit-trail.port';

/**
 * Append-only record of every read and write of patient data (who, facility, purpose, what, when,
 * outcome). A trigger rejects UPDATE and DELETE (see the migration); rows never hold identifier values.
 */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_patient_time', ['patientId', 'occurredAt'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_audit_log' })
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** facility | service | person (platform actor kinds). */
  @Column({ name: 'actor_kind', type: 'varchar', length: 16, default: 'facility' })
  actorKind!: string;

  /** Token subject (client id / user) that acted. */
  @Column({ name: 'actor_subject', type: 'text' })
  actorSubject!: string;

  /** The calling service when a service acted for a facility (facility_code is then that facility). */
  @Column({ name: 'acting_service', type: 'text', nullable: true })
  actingService!: string | null;

  @Column({ name: 'facility_code', type: 'varchar', length: 5, nullable: true })
  facilityCode!: string | null;

  @Column({ name: 'purpose_of_use', type: 'varchar', length: 32 })
  purposeOfUse!: string;

  /** e.g. patient.register, patient.read, patient.search, patient.merge, patient.audit.read. */
  @Column({ type: 'varchar', length: 48 })
  action!: string;

  @Column({ name: 'patient_id', type: 'uuid', nullable: true })
  patientId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  /** Coded, non-identifying detail (match outcome, result count, error code). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  detail!: Record<string, unknown>;
}
