import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/*
 * The registry's tables (this service's copies of identity's facilities, patients and links, and the
 * merges it applied) as TypeORM sees them: the schema check (the migrations must produce exactly these),
 * not the queries — each statement lives once in a repository.
 */

/** This service's copy of the facility registry (`identity.facility.v1`): what the reuse rules need of a lab. */
@Entity({ name: 'facilities' })
export class FacilityEntity {
  @PrimaryColumn({ type: 'varchar', length: 5, primaryKeyConstraintName: 'pk_facilities' })
  code!: string;

  /** Law 15/2023 level of care: initial, basic, specialised. */
  @Column({ type: 'varchar', length: 16 })
  level!: string;

  @Column({ name: 'province_code', type: 'varchar', length: 2 })
  provinceCode!: string;

  /** Decision 2429 lab quality level as identity publishes it: 'unrated', '1'…'5'. */
  @Column({ name: 'lab_quality_level', type: 'varchar', length: 8 })
  labQualityLevel!: string;

  /** Catalogue codes the lab's ISO 15189 accreditation covers. */
  @Column({ name: 'iso15189_scope', type: 'text', array: true })
  iso15189Scope!: string[];

  @Column({ type: 'boolean' })
  sensitive!: boolean;

  /** The registry's version of the row: an older event never overwrites a newer one. */
  @Column({ type: 'integer' })
  version!: number;
}

/** A patient identity-service announced (registered, linked); merged ones point at their survivor. */
@Entity({ name: 'patients' })
@Index('ix_patients_merged_into', ['mergedInto'], { where: '"merged_into" IS NOT NULL' })
export class PatientEntity {
  @PrimaryColumn({ name: 'enterprise_patient_id', type: 'uuid', primaryKeyConstraintName: 'pk_patients' })
  enterprisePatientId!: string;

  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto!: string | null;

  @Column({ name: 'known_since', type: 'timestamptz' })
  knownSince!: Date;
}

/** Where the patient is registered (identity links): a referral's care relationship. */
@Entity({ name: 'patient_links' })
@Index('ix_patient_links_patient', ['enterprisePatientId', 'facilityCode'])
export class PatientLinkEntity {
  @PrimaryColumn({ name: 'facility_code', type: 'varchar', length: 5, primaryKeyConstraintName: 'pk_patient_links' })
  facilityCode!: string;

  @PrimaryColumn({ name: 'local_id', type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_patient_links' })
  localId!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid' })
  enterprisePatientId!: string;
}

/** A merge identity-service announced, as applied here, with the results it moved (an unmerge gives back exactly those). */
@Entity({ name: 'patient_merges' })
export class PatientMergeEntity {
  @PrimaryColumn({ name: 'merge_id', type: 'uuid', primaryKeyConstraintName: 'pk_patient_merges' })
  mergeId!: string;

  @Column({ name: 'survivor_id', type: 'uuid' })
  survivorId!: string;

  @Column({ name: 'merged_id', type: 'uuid' })
  mergedId!: string;

  @Column({ name: 'moved_result_ids', type: 'uuid', array: true })
  movedResultIds!: string[];

  @Column({ name: 'merged_at', type: 'timestamptz' })
  mergedAt!: Date;

  @Column({ name: 'unmerged_at', type: 'timestamptz', nullable: true })
  unmergedAt!: Date | null;
}

export const REGISTRY_ENTITIES = [FacilityEntity, PatientEntity, PatientLinkEntity, PatientMergeEntity];
