import { type FieldComparison } from '../../patients/domain/patient';
import { type ReviewStatus } from '../../patients/ports/review-queue.port';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A probable duplicate waiting for a data steward: the newly created patient (incoming) and the
 * existing candidate it probably is. Holds scores and per-field outcomes only, no identifier values.
 */
@Entity({ name: 'review_items' })
@Check('chk_review_items_status', `"status" IN ('open', 'confirmed', 'rejected')`)
@Index('ix_review_items_status_created', ['status', 'createdAt'])
export class ReviewItemEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_review_items' })
  id!: string;

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
