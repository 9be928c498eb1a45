import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One facility link this service has seen (the migration check compares this with the table). */
@Entity({ name: 'seen_patients' })
@Index('seen_patients_enterprise_patient_id_idx', ['enterprisePatientId'])
export class SeenPatientEntity {
  @PrimaryColumn({ name: 'facility_code', type: 'text' })
  facilityCode!: string;

  @PrimaryColumn({ name: 'local_id', type: 'text' })
  localId!: string;

  @Column({ name: 'enterprise_patient_id', type: 'uuid' })
  enterprisePatientId!: string;

  @Column({ type: 'integer' })
  sightings!: number;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;
}
