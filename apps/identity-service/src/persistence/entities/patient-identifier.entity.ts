import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PatientEntity } from './patient.entity';
import { IDENTIFIER_SYSTEMS, type IdentifierSystem } from '@lienthong/vn-standards';
import { IDENTIFIER_STATUSES, type IdentifierStatus } from '../../patients/domain/patient';

const IN_LIST = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * An identifier a patient holds or held. The value is only ever stored encrypted; lookups go through
 * the keyed blind index. Deliberately no UNIQUE on (system, blind_index): numbers are cancelled and
 * re-issued, and history rows keep old values (VN-STANDARDS §1). Uniqueness of *active* CCCDs is
 * enforced by the registration use case under an advisory lock on the blind index.
 */
@Entity({ name: 'patient_identifiers' })
@Check('chk_patient_identifiers_system', `"system" IN (${IN_LIST(IDENTIFIER_SYSTEMS)})`)
@Check('chk_patient_identifiers_status', `"status" IN (${IN_LIST(IDENTIFIER_STATUSES)})`)
@Index('ix_patient_identifiers_lookup', ['system', 'blindIndex'])
export class PatientIdentifierEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_patient_identifiers' })
  id!: string;

  @Index('ix_patient_identifiers_patient')
  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @ManyToOne(() => PatientEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'fk_patient_identifiers_patient' })
  patient?: PatientEntity;

  @Column({ type: 'varchar', length: 16 })
  system!: IdentifierSystem;

  /** AES-256-GCM: IV ‖ ciphertext ‖ tag, with the system as associated data. */
  @Column({ name: 'value_ciphertext', type: 'bytea' })
  valueCiphertext!: Buffer;

  @Column({ name: 'key_id', type: 'varchar', length: 32 })
  keyId!: string;

  /** HMAC-SHA-256(system ‖ normalised value); for BHYT over the stable 10-digit social-insurance number. */
  @Column({ name: 'blind_index', type: 'bytea' })
  blindIndex!: Buffer;

  @Column({ type: 'varchar', length: 16 })
  status!: IdentifierStatus;

  /** The facility that reported it: that facility may see the value it gave us. */
  @Column({ name: 'source_facility', type: 'varchar', length: 5 })
  sourceFacility!: string;

  /** Soft-check findings (e.g. CCCD digit 4 disagrees with recorded sex), kept for data-quality review. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  flags!: string[];

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
