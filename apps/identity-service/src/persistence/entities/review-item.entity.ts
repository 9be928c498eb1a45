import { type FieldComparison } from '../../patients/domain/patient';
import { type ReviewKind, type ReviewStatus } from '../../patients/ports/review-queue.port';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A probable duplicate (or a disputed report, kind = conflict) waiting for a data steward: the newly created patient (incoming) and the
 * existing candidate it probably is. Holds scores and per-field outcomes only, no identifier values.
 */
@Entity({ name: 'review_items' })
@Check('chk_review_items_status', `"status" IN ('open', 'confirmed', 'rejected')`)
@Check('chk_review_items_kind', `"kind" IN ('duplicate', 'conflict')`)
@Index('ix_review_items_status_created', ['status', 'createdAt'])
// One open conflict per facility link: re-sending the same contradiction does not queue it twice.
@Index('ux_review_items_open_conflict', ['incomingPatientId', 'facilityCode', 'localId'], { unique: true, where: `"kind" = 'conflict' AND "status" = 'open'` })
export class ReviewItemEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_review_items' })
  id!: string;

  /** duplicate: two patients that are probably one; conflict: a report contradicting a CCCD-verified value. */
  @Column({ type: 'varchar', length: 16, default: 'duplicate' })
  kind!: ReviewKind;

  @Index('ix_review_items_incoming')
  @Column({ name: 'incoming_patient_id', type: 'uuid' })
  incomingPatientId!: string;

  @Index('ix_review_items_candidate')
  @Column({ name: 'candidate_patient_id', type: 'uuid' })
  candidatePatientId!: string;

  @Column({ name: 'facility_code', type: 'varchar', length: 5 })
  facilityCode!: string;

  @Column({ name: 'local_id', type: 'varchar', length: 100 })
  localId!: string;

  @Column({ type: 'double precision' })
  score!: number;

  @Column({ type: 'jsonb' })
  comparisons!: FieldComparison[];

  @Column({ type: 'jsonb', default: () => `'[]'` })
  warnings!: string[];

  @Column({ type: 'varchar', length: 16 })
  status!: ReviewStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'merge_id', type: 'uuid', nullable: true })
  mergeId!: string | null;
}
