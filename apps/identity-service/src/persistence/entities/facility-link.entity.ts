import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PatientEntity } from './patient.entity';

/** A facility's local patient id (MA_BN) resolved to an enterprise patient. */
@Entity({ name: 'facility_links' })
@Index('ux_facility_links_local', ['facilityCode', 'localId'], { unique: true })
export class FacilityLinkEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_facility_links' })
  id!: string;

  @Column({ name: 'facility_code', type: 'varchar', length: 5 })
  facilityCode!: string;

  @Column({ name: 'local_id', type: 'varchar', length: 100 })
  localId!: string;

  @Index('ix_facility_links_patient')
  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @ManyToOne(() => PatientEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'fk_facility_links_patient' })
  patient?: PatientEntity;

  /** The patient the link was first created for: where an unmerge sends it back. */
  @Column({ name: 'original_patient_id', type: 'uuid' })
  originalPatientId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
