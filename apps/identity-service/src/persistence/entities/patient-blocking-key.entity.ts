import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Blocking keys of each active patient (computed by the matching module): candidate generation joins
 * on these instead of scanning. Keys are derived from folded names/dates/codes; identifier-based
 * keys are stored keyed-hashed, never in clear.
 */
@Entity({ name: 'patient_blocking_keys' })
@Index('ix_patient_blocking_keys_patient', ['patientId'])
export class PatientBlockingKeyEntity {
  /** First 16 bytes of HMAC-SHA-256 of the key: keys contain names, dates and BHYT numbers. */
  @PrimaryColumn({ name: 'blocking_key', type: 'bytea', primaryKeyConstraintName: 'pk_patient_blocking_keys' })
  blockingKey!: Buffer;

  @PrimaryColumn({ name: 'patient_id', type: 'uuid', primaryKeyConstraintName: 'pk_patient_blocking_keys' })
  patientId!: string;
}
