import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Remembered answers to creating POSTs, per facility and Idempotency-Key. The request is kept only
 * as a SHA-256 of its canonical body (the body holds CCCDs), the answer as returned (it holds none).
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'facility_code', type: 'varchar', length: 5, primaryKeyConstraintName: 'pk_idempotency_keys' })
  facilityCode!: string;

  @PrimaryColumn({ name: 'key', type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_idempotency_keys' })
  key!: string;

  @Column({ name: 'operation', type: 'varchar', length: 48 })
  operation!: string;

  @Column({ name: 'request_hash', type: 'bytea' })
  requestHash!: Buffer;

  @Column({ type: 'jsonb' })
  response!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
