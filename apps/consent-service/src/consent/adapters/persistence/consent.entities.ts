import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/*
 * consent-service's tables as TypeORM sees them: the schema check (the int test asserts the
 * migrations produce exactly these), not the queries — each statement lives once in a repository.
 */

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

/** Where the patient is registered (identity links): the `care-relationship` grantee. */
@Entity({ name: 'patient_links' })
@Index('ix_patient_links_patient', ['enterprisePatientId'])
export class PatientLinkEntity {
  @PrimaryColumn({ name: 'facility_code', type: 'varchar', length: 5, primaryKeyConstraintName: 'pk_patient_links' })
  facilityCode!: string;

  @PrimaryColumn({ name: 'local_id', type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_patient_links' })
  localId!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid' })
  enterprisePatientId!: string;
}

/** This service's copy of the facility registry (`identity.facility.v1`): grantee levels and provinces. */
@Entity({ name: 'facilities' })
export class FacilityEntity {
  @PrimaryColumn({ type: 'varchar', length: 5, primaryKeyConstraintName: 'pk_facilities' })
  code!: string;

  @Column({ type: 'varchar', length: 16 })
  level!: string;

  @Column({ name: 'province_code', type: 'varchar', length: 2 })
  provinceCode!: string;

  @Column({ type: 'boolean' })
  sensitive!: boolean;

  /** The registry's version of the row: an older event never overwrites a newer one. */
  @Column({ type: 'integer' })
  version!: number;
}

/** A consent: whose it is now (merges move it) and whose it was when recorded. */
@Entity({ name: 'consents' })
@Index('ix_consents_patient', ['enterprisePatientId'])
export class ConsentEntity {
  @PrimaryColumn({ name: 'consent_id', type: 'uuid', primaryKeyConstraintName: 'pk_consents' })
  consentId!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid' })
  enterprisePatientId!: string;

  @Column({ name: 'original_patient_id', type: 'uuid' })
  originalPatientId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Every version of every consent; never updated or deleted (a trigger refuses both). */
@Entity({ name: 'consent_versions' })
export class ConsentVersionEntity {
  @PrimaryColumn({ name: 'consent_id', type: 'uuid', primaryKeyConstraintName: 'pk_consent_versions' })
  consentId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_consent_versions' })
  version!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'text', array: true })
  purposes!: string[];

  @Column({ type: 'text', array: true })
  categories!: string[];

  @Column({ type: 'jsonb' })
  grantees!: unknown[];

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom!: Date;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil!: Date | null;

  @Column({ type: 'varchar', length: 16 })
  channel!: string;

  @Column({ type: 'text', nullable: true })
  reference!: string | null;

  @Column({ name: 'document_sha256', type: 'char', length: 64, nullable: true })
  documentSha256!: string | null;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @Column({ name: 'recorded_at_facility', type: 'varchar', length: 5 })
  recordedAtFacility!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ name: 'informed_of_sensitivity', type: 'boolean' })
  informedOfSensitivity!: boolean;

  /** `{ relationship, name, subjectBirthDate, childConsented }` or null when the patient consented. */
  @Column({ type: 'jsonb', nullable: true })
  representative!: Record<string, unknown> | null;

  /** The token subject that recorded the version (the HIS client, or the service acting for it). */
  @Column({ name: 'recorded_by_subject', type: 'text' })
  recordedBySubject!: string;
}

/** Grant periods still to be announced as ended: the expiry job claims due rows with SKIP LOCKED. */
@Entity({ name: 'consent_expiries' })
@Index('ix_consent_expiries_due', ['endsAt'], { where: '"published_at" IS NULL AND "superseded" = false' })
export class ConsentExpiryEntity {
  @PrimaryColumn({ name: 'consent_id', type: 'uuid', primaryKeyConstraintName: 'pk_consent_expiries' })
  consentId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_consent_expiries' })
  version!: number;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** A later version or a withdrawal replaced this one before it ended: nothing to announce. */
  @Column({ type: 'boolean', default: false })
  superseded!: boolean;
}

/** A merge as this service applied it: which consents and links moved, so an unmerge moves exactly those back. */
@Entity({ name: 'patient_merges' })
export class PatientMergeEntity {
  @PrimaryColumn({ name: 'merge_id', type: 'uuid', primaryKeyConstraintName: 'pk_patient_merges' })
  mergeId!: string;

  @Column({ name: 'survivor_id', type: 'uuid' })
  survivorId!: string;

  @Column({ name: 'merged_id', type: 'uuid' })
  mergedId!: string;

  @Column({ name: 'moved_consent_ids', type: 'uuid', array: true })
  movedConsentIds!: string[];

  @Column({ name: 'merged_at', type: 'timestamptz' })
  mergedAt!: Date;

  @Column({ name: 'unmerged_at', type: 'timestamptz', nullable: true })
  unmergedAt!: Date | null;
}

/** Break-the-glass: a facility's emergency access to one patient, with its reason, for a short time. */
@Entity({ name: 'emergency_accesses' })
@Index('ix_emergency_accesses_patient', ['enterprisePatientId', 'expiresAt'])
@Index('ix_emergency_accesses_facility', ['facilityCode', 'grantedAt'])
export class EmergencyAccessEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_emergency_accesses' })
  id!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid' })
  enterprisePatientId!: string;

  @Column({ name: 'facility_code', type: 'varchar', length: 5 })
  facilityCode!: string;

  @Column({ name: 'clinician_id', type: 'varchar', length: 100 })
  clinicianId!: string;

  /** Why (free text, kept here only: never on an event or in a log). */
  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'granted_at', type: 'timestamptz' })
  grantedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'actor_subject', type: 'text' })
  actorSubject!: string;
}

export const CONSENT_TABLE_ENTITIES = [
  PatientEntity,
  PatientLinkEntity,
  FacilityEntity,
  ConsentEntity,
  ConsentVersionEntity,
  ConsentExpiryEntity,
  PatientMergeEntity,
  EmergencyAccessEntity,
];
