import { Check, Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { type SexCode } from '../../patients/domain/patient';
import { type SurvivorField } from '../../patients/domain/survivorship';
import { FacilityLinkEntity } from './facility-link.entity';

/** What a facility reported, as both the current source record and its history row store it. */
abstract class ReportedDemographicsColumns {
  @Column({ name: 'full_name', type: 'text' })
  fullName!: string;

  @Column({ name: 'name_folded', type: 'text' })
  nameFolded!: string;

  @Column({ name: 'birth_year', type: 'smallint', nullable: true })
  birthYear!: number | null;

  @Column({ name: 'birth_month', type: 'smallint', nullable: true })
  birthMonth!: number | null;

  @Column({ name: 'birth_day', type: 'smallint', nullable: true })
  birthDay!: number | null;

  @Column({ type: 'smallint' })
  sex!: SexCode;

  @Column({ name: 'province_code', type: 'char', length: 2, nullable: true })
  provinceCode!: string | null;

  @Column({ name: 'commune_code', type: 'varchar', length: 5, nullable: true })
  communeCode!: string | null;

  @Column({ name: 'address_line', type: 'text', nullable: true })
  addressLine!: string | null;

  @Column({ type: 'varchar', length: 15, nullable: true })
  phone!: string | null;

  /** The report carried the patient's active CCCD: its values outrank every other source's. */
  @Column({ name: 'cccd_verified', type: 'boolean' })
  cccdVerified!: boolean;

  /** Fields that contradicted a CCCD-verified value: kept here, left out of the shared record. */
  @Column({ name: 'disputed_fields', type: 'jsonb', default: () => `'[]'` })
  disputedFields!: SurvivorField[];

  @Column({ name: 'reported_at', type: 'timestamptz' })
  reportedAt!: Date;
}

/**
 * What one facility link last reported about its patient (normalised), kept apart from the shared
 * `patients` row, which is computed from all of a patient's source records (survivorship). A
 * facility can only ever replace its own row here.
 */
@Entity({ name: 'patient_source_records' })
@Check('chk_patient_source_records_sex', `"sex" IN (1, 2, 3)`)
export class PatientSourceRecordEntity extends ReportedDemographicsColumns {
  @PrimaryColumn({ name: 'link_id', type: 'uuid', primaryKeyConstraintName: 'pk_patient_source_records' })
  linkId!: string;

  @OneToOne(() => FacilityLinkEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'link_id', foreignKeyConstraintName: 'fk_patient_source_records_link' })
  link?: FacilityLinkEntity;
}

/** Every source record ever written, append-only (a trigger rejects UPDATE, DELETE and TRUNCATE): who said what, and when. */
@Entity({ name: 'patient_source_history' })
@Index('ix_patient_source_history_patient', ['patientId', 'id'])
@Check('chk_patient_source_history_sex', `"sex" IN (1, 2, 3)`)
export class PatientSourceHistoryEntity extends ReportedDemographicsColumns {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_patient_source_history' })
  id!: string;

  @Index('ix_patient_source_history_link')
  @Column({ name: 'link_id', type: 'uuid' })
  linkId!: string;

  /** The patient the link pointed at when the report arrived (merges move links later). */
  @Column({ name: 'patient_id', type: 'uuid' })
  patientId!: string;

  @Column({ name: 'facility_code', type: 'varchar', length: 5 })
  facilityCode!: string;

  @Column({ name: 'local_id', type: 'varchar', length: 100 })
  localId!: string;
}
