import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The consents table as TypeORM sees it: the schema check, not the queries (those are in the repository). */
@Entity({ name: 'consents' })
@Index('ix_consents_facility', ['facilityCode', 'createdAt'])
export class ConsentEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_consents' })
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
