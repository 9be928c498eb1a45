import { type MovedLink } from '../../patients/domain/patient';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A merge of one patient into a survivor, with exactly what moved, so an unmerge can put it back. */
@Entity({ name: 'merges' })
export class MergeEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_merges' })
  id!: string;

  @Index('ix_merges_survivor')
  @Column({ name: 'survivor_id', type: 'uuid' })
  survivorId!: string;

  @Index('ix_merges_merged')
  @Column({ name: 'merged_id', type: 'uuid' })
  mergedId!: string;

  @Column({ name: 'moved_links', type: 'jsonb' })
  movedLinks!: MovedLink[];

  @Column({ name: 'moved_identifier_ids', type: 'uuid', array: true })
  movedIdentifierIds!: string[];

  @Column({ name: 'merged_by', type: 'text' })
  mergedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'undone_at', type: 'timestamptz', nullable: true })
  undoneAt!: Date | null;

  @Column({ name: 'undone_by', type: 'text', nullable: true })
  undoneBy!: string | null;
}
