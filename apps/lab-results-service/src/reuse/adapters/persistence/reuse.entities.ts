import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/*
 * The reuse context's tables as TypeORM sees them: the schema check (the migrations must produce
 * exactly these), not the queries — each statement lives once in reuse-checks.repository.ts.
 */

/** A reuse check: who asked about whom, for what, under which rule-set version. */
@Entity({ name: 'reuse_checks' })
@Index('ix_reuse_checks_patient', ['enterprisePatientId'])
export class ReuseCheckEntity {
  @PrimaryColumn({ name: 'check_id', type: 'uuid', primaryKeyConstraintName: 'pk_reuse_checks' })
  checkId!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid' })
  enterprisePatientId!: string;

  @Column({ name: 'requesting_facility', type: 'varchar', length: 5 })
  requestingFacility!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: string;

  @Column({ name: 'rule_set_version', type: 'varchar', length: 64 })
  ruleSetVersion!: string;

  /** The time the check is about (the request's `at`, default when it ran). */
  @Column({ name: 'checked_for', type: 'timestamptz' })
  checkedFor!: Date;

  @Column({ name: 'checked_at', type: 'timestamptz' })
  checkedAt!: Date;

  /** The token subject of the system that asked. */
  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  /** enterprise-id, cccd or local-id: how the patient was named (never the identifier). */
  @Column({ name: 'patient_given_as', type: 'varchar', length: 16 })
  patientGivenAs!: string;
}

/** One test of a check: its outcome, and the candidate's identity and validity — never its value. */
@Entity({ name: 'reuse_check_tests' })
export class ReuseCheckTestEntity {
  @PrimaryColumn({ name: 'check_id', type: 'uuid', primaryKeyConstraintName: 'pk_reuse_check_tests' })
  checkId!: string;

  /** The catalogue code, or the code asked when the rule set did not know it. */
  @PrimaryColumn({ name: 'test_code', type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_reuse_check_tests' })
  testCode!: string;

  @Column({ type: 'smallint' })
  position!: number;

  @Column({ name: 'asked_as', type: 'varchar', length: 64 })
  askedAs!: string;

  @Column({ name: 'catalogue_code', type: 'varchar', length: 20, nullable: true })
  catalogueCode!: string | null;

  @Column({ name: 'consent_category', type: 'varchar', length: 32, nullable: true })
  consentCategory!: string | null;

  /** REUSE_CANDIDATE or REPEAT_REQUIRED. */
  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  reason!: string | null;

  @Column({ name: 'result_id', type: 'uuid', nullable: true })
  resultId!: string | null;

  @Column({ name: 'result_version', type: 'integer', nullable: true })
  resultVersion!: number | null;

  @Column({ name: 'performing_facility', type: 'varchar', length: 5, nullable: true })
  performingFacility!: string | null;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil!: Date | null;

  /** collectedAt or performedAt: what the window was counted from. */
  @Column({ name: 'window_from', type: 'varchar', length: 16, nullable: true })
  windowFrom!: string | null;

  @Column({ name: 'price_vnd', type: 'integer', nullable: true })
  priceVnd!: number | null;
}

/** The treating doctor's choice for one test of a check: at most one per test. */
@Entity({ name: 'reuse_decisions' })
@Index('uq_reuse_decisions_test', ['checkId', 'testCode'], { unique: true })
export class ReuseDecisionEntity {
  @PrimaryColumn({ name: 'decision_id', type: 'uuid', primaryKeyConstraintName: 'pk_reuse_decisions' })
  decisionId!: string;

  @Column({ name: 'check_id', type: 'uuid' })
  checkId!: string;

  @Column({ name: 'test_code', type: 'varchar', length: 64 })
  testCode!: string;

  /** reused or retested. */
  @Column({ type: 'varchar', length: 8 })
  decision!: string;

  @Column({ name: 'retest_reason', type: 'varchar', length: 32, nullable: true })
  retestReason!: string | null;

  @Column({ name: 'result_id', type: 'uuid', nullable: true })
  resultId!: string | null;

  @Column({ name: 'price_avoided_vnd', type: 'integer' })
  priceAvoidedVnd!: number;

  /** The rule-set version of the check the decision answers. */
  @Column({ name: 'rule_set_version', type: 'varchar', length: 64 })
  ruleSetVersion!: string;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt!: Date;

  @Column({ name: 'decided_by', type: 'text' })
  decidedBy!: string;
}

export const REUSE_ENTITIES = [ReuseCheckEntity, ReuseCheckTestEntity, ReuseDecisionEntity];
