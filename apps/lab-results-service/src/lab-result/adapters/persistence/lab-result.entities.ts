import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/*
 * The ingest's tables as TypeORM sees them: the schema check (the int test asserts the migrations
 * produce exactly these), not the queries — each statement lives once in a repository.
 */

/**
 * One visit (HOSO) per (facility, MA_LK), durable from the moment it is accepted: waiting for its
 * patient (`pending-patient`, demographics sealed with AES-256-GCM, retried with backoff), `resolved`
 * (demographics dropped) or `rejected` by identity (demographics dropped, the reason kept).
 */
@Entity({ name: 'visits' })
@Unique('uq_visits_facility_ma_lk', ['facilityCode', 'maLk'])
@Index('ix_visits_due', ['nextAttemptAt'], { where: `"status" = 'pending-patient'` })
export class VisitEntity {
  @PrimaryColumn({ name: 'visit_id', type: 'uuid', primaryKeyConstraintName: 'pk_visits' })
  visitId!: string;

  @Column({ name: 'facility_code', type: 'varchar', length: 5 })
  facilityCode!: string;

  @Column({ name: 'ma_lk', type: 'varchar', length: 100 })
  maLk!: string;

  /** pending-patient | resolved | rejected */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid', nullable: true })
  enterprisePatientId!: string | null;

  /** XML1's patient (CCCD inside), AES-256-GCM: version byte, IV, tag, ciphertext. Null once resolved or rejected. */
  @Column({ type: 'bytea', nullable: true })
  demographics!: Buffer | null;

  /** The visit's canonical lines: no patient identifier in them. */
  @Column({ type: 'jsonb' })
  lines!: unknown;

  /** Keyed fingerprint (HMAC-SHA-256) of demographics and lines: a resubmission of the same content is unchanged. */
  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ type: 'integer' })
  generation!: number;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  /** Coded: identity's status and rules, or why it could not be asked. Never patient data. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * The latest version of each result line — (facility, MA_LK, line key: MA_DICH_VU + MA_CHI_SO or STT) —
 * with what the reuse check filters on in columns and the whole canonical result in `result`.
 * `enterprise_patient_id` is the current holder (a merge moves it; `result` keeps who it was recorded for).
 */
@Entity({ name: 'lab_results' })
@Unique('uq_lab_results_line', ['facilityCode', 'maLk', 'lineKey'])
@Index('ix_lab_results_patient_test', ['enterprisePatientId', 'catalogueCode'])
export class LabResultEntity {
  @PrimaryColumn({ name: 'result_id', type: 'uuid', primaryKeyConstraintName: 'pk_lab_results' })
  resultId!: string;

  @Column({ name: 'facility_code', type: 'varchar', length: 5 })
  facilityCode!: string;

  @Column({ name: 'ma_lk', type: 'varchar', length: 100 })
  maLk!: string;

  @Column({ name: 'line_key', type: 'varchar', length: 120 })
  lineKey!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid' })
  enterprisePatientId!: string;

  /** The catalogue test (null: not in the catalogue, never reusable). */
  @Column({ name: 'catalogue_code', type: 'varchar', length: 20, nullable: true })
  catalogueCode!: string | null;

  @Column({ type: 'integer' })
  version!: number;

  /** final | amended | cancelled */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'collected_at', type: 'timestamptz', nullable: true })
  collectedAt!: Date | null;

  @Column({ name: 'performed_at', type: 'timestamptz', nullable: true })
  performedAt!: Date | null;

  @Column({ name: 'result_at', type: 'timestamptz', nullable: true })
  resultAt!: Date | null;

  /** positive | negative for a coded value, else null (positive-only reuse reads it). */
  @Column({ type: 'varchar', length: 8, nullable: true })
  qualitative!: string | null;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  /** The canonical result (lab.result.v1's data) of this version. */
  @Column({ type: 'jsonb' })
  result!: unknown;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Every version of every result, as announced. */
@Entity({ name: 'lab_result_versions' })
export class LabResultVersionEntity {
  @PrimaryColumn({ name: 'result_id', type: 'uuid', primaryKeyConstraintName: 'pk_lab_result_versions' })
  resultId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_lab_result_versions' })
  version!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ type: 'jsonb' })
  result!: unknown;

  /** The file it came from (null when the retry worker settled it). */
  @Column({ name: 'submission_id', type: 'uuid', nullable: true })
  submissionId!: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/** An uploaded XML 130 file. */
@Entity({ name: 'submissions' })
export class SubmissionEntity {
  @PrimaryColumn({ name: 'submission_id', type: 'uuid', primaryKeyConstraintName: 'pk_submissions' })
  submissionId!: string;

  @Column({ name: 'facility_code', type: 'varchar', length: 5 })
  facilityCode!: string;

  /** The uploading client (token subject). */
  @Column({ name: 'submitted_by', type: 'text' })
  submittedBy!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}

/** What became of each visit of a file; a waiting visit's row is updated when it settles. */
@Entity({ name: 'submission_visits' })
@Index('ix_submission_visits_waiting', ['visitId'], { where: `"outcome" = 'pending-patient'` })
export class SubmissionVisitEntity {
  @PrimaryColumn({ name: 'submission_id', type: 'uuid', primaryKeyConstraintName: 'pk_submission_visits' })
  submissionId!: string;

  /** The visit's 0-based position in the file. */
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_submission_visits' })
  position!: number;

  @Column({ name: 'ma_lk', type: 'varchar', length: 100, nullable: true })
  maLk!: string | null;

  @Column({ name: 'visit_id', type: 'uuid', nullable: true })
  visitId!: string | null;

  /** stored | unchanged | pending-patient | rejected */
  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  /** { new, amended, cancelled, unchanged } */
  @Column({ type: 'jsonb' })
  results!: unknown;

  /** [{ pointer, rule, message, severity }] */
  @Column({ type: 'jsonb' })
  errors!: unknown;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * Per (facility, MA_BN): the enterprise id identity-service answered the last time this service sent it
 * that patient, and a keyed fingerprint (HMAC-SHA-256) of exactly what it sent — so a visit of a patient
 * already known, with nothing identity needs changed, resolves without asking identity again. No
 * demographics in it: the local id, as `patient_links` keeps it too, and the digest.
 */
@Entity({ name: 'patient_resolutions' })
export class PatientResolutionEntity {
  @PrimaryColumn({ name: 'facility_code', type: 'varchar', length: 5, primaryKeyConstraintName: 'pk_patient_resolutions' })
  facilityCode!: string;

  @PrimaryColumn({ name: 'local_id', type: 'varchar', length: 100, primaryKeyConstraintName: 'pk_patient_resolutions' })
  localId!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid' })
  enterprisePatientId!: string;

  /** DemographicsVault.fingerprint of the registration body identity received. */
  @Column({ name: 'demographics_hash', type: 'char', length: 64 })
  demographicsHash!: string;

  @Column({ name: 'resolved_at', type: 'timestamptz' })
  resolvedAt!: Date;
}

export const INGEST_ENTITIES = [VisitEntity, LabResultEntity, LabResultVersionEntity, SubmissionEntity, SubmissionVisitEntity, PatientResolutionEntity];
