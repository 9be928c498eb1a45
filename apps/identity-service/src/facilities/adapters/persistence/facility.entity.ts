import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

import { type FacilityInput } from '../../domain/facility';

/** The current version of each facility. Every change also lands in facility_history. */
@Entity({ name: 'facilities' })
export class FacilityEntity {
  @PrimaryColumn({ type: 'varchar', length: 5 })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  /** 2-digit province code in force since 2025-07-01. */
  @Index('ix_facilities_province')
  @Column({ name: 'province_code', type: 'char', length: 2 })
  provinceCode!: string;

  @Column({ type: 'varchar', length: 16 })
  level!: FacilityInput['level'];

  @Column({ name: 'historical_tier', type: 'varchar', length: 16 })
  historicalTier!: FacilityInput['historicalTier'];

  @Column({ name: 'lab_quality_level', type: 'varchar', length: 8 })
  labQualityLevel!: FacilityInput['labQualityLevel'];

  @Column({ name: 'iso15189_scope', type: 'text', array: true, default: () => "'{}'" })
  iso15189Scope!: string[];

  @Column({ type: 'boolean', default: false })
  sensitive!: boolean;

  /** Seed data with invented codes is marked so it can never be mistaken for the official registry. */
  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;

  @Column({ name: 'valid_from', type: 'date' })
  validFrom!: string;

  @Column({ name: 'valid_to', type: 'date', nullable: true })
  validTo!: string | null;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Append-only: facility codes and attributes are time-versioned (VN-STANDARDS §4). */
@Entity({ name: 'facility_history' })
@Index('ix_facility_history_code_version', ['code', 'version'], { unique: true })
export class FacilityHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 5 })
  code!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  snapshot!: Record<string, unknown>;

  @Column({ name: 'changed_by', type: 'text' })
  changedBy!: string;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
