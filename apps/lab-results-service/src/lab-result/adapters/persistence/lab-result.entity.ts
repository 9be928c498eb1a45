import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The lab_results table as TypeORM sees it: the schema check, not the queries (those are in the repository). */
@Entity({ name: 'lab_results' })
@Index('ix_lab_results_facility', ['facilityCode', 'createdAt'])
export class LabResultEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_lab_results' })
  id!: string;

  @Column({ name: 'facility_code', type: 'varchar', length: 5 })
  facilityCode!: string;

  @Column({ type: 'text' })
  note!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
