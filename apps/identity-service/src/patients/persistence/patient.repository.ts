import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type PartialDate } from '@lienthong/vn-standards';
import { type EntityManager } from 'typeorm';
import { type EncryptedValue } from '../../crypto/identifier-crypto';
import { type IdentifierStatus, type IdentifierSystem } from '../../persistence/entities/patient-identifier.entity';
import { type PatientStatus, type SexCode } from '../../persistence/entities/patient.entity';
import { type NormalisedDemographics } from '../domain/registration-input';

export interface PatientRecord {
  readonly id: string;
  readonly status: PatientStatus;
  readonly mergedInto: string | null;
  readonly fullName: string;
  readonly nameFolded: string;
  readonly birthDate: PartialDate | undefined;
  readonly sex: SexCode;
  readonly provinceCode: string | undefined;
  readonly communeCode: string | undefined;
  readonly addressLine: string | undefined;
  readonly phone: string | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

export interface IdentifierRecord {
  readonly id: string;
  readonly patientId: string;
  readonly system: IdentifierSystem;
  readonly encrypted: EncryptedValue;
  readonly blindIndex: Buffer;
  readonly status: IdentifierStatus;
  readonly sourceFacility: string;
  readonly flags: readonly string[];
}

export interface LinkRecord {
  readonly id: string;
  readonly facilityCode: string;
  readonly localId: string;
  readonly patientId: string;
  readonly originalPatientId: string;
}

export interface NewIdentifier {
  readonly id: string;
  readonly system: IdentifierSystem;
  readonly encrypted: EncryptedValue;
  readonly blindIndex: Buffer;
  readonly status: IdentifierStatus;
  readonly flags: readonly string[];
}

interface PatientRow {
  id: string;
  status: PatientStatus;
  merged_into: string | null;
  full_name: string;
  name_folded: string;
  birth_year: number | null;
  birth_month: number | null;
  birth_day: number | null;
  sex: number;
  province_code: string | null;
  commune_code: string | null;
  address_line: string | null;
  phone: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const PATIENT_COLUMNS = `p.id, p.status, p.merged_into, p.full_name, p.name_folded, p.birth_year, p.birth_month, p.birth_day,
  p.sex, p.province_code, p.commune_code, p.address_line, p.phone, p.created_at, p.updated_at, p.version`;

function toPatient(row: PatientRow): PatientRecord {
  let birthDate: PartialDate | undefined;
  if (row.birth_year !== null) {
    birthDate =
      row.birth_month === null
        ? { year: row.birth_year }
        : row.birth_day === null
          ? { year: row.birth_year, month: row.birth_month }
          : { year: row.birth_year, month: row.birth_month, day: row.birth_day };
  }
  return {
    id: row.id,
    status: row.status,
    mergedInto: row.merged_into,
    fullName: row.full_name,
    nameFolded: row.name_folded,
    birthDate,
    sex: row.sex as SexCode,
    provinceCode: row.province_code ?? undefined,
    communeCode: row.commune_code ?? undefined,
    addressLine: row.address_line ?? undefined,
    phone: row.phone ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

interface IdentifierRow {
  id: string;
  patient_id: string;
  system: IdentifierSystem;
  value_ciphertext: Buffer;
  key_id: string;
  blind_index: Buffer;
  status: IdentifierStatus;
  source_facility: string;
  flags: string[];
}

function toIdentifier(row: IdentifierRow): IdentifierRecord {
  return {
    id: row.id,
    patientId: row.patient_id,
    system: row.system,
    encrypted: { ciphertext: row.value_ciphertext, keyId: row.key_id },
    blindIndex: row.blind_index,
    status: row.status,
    sourceFacility: row.source_facility,
    flags: row.flags,
  };
}

interface LinkRow {
  id: string;
  facility_code: string;
  local_id: string;
  patient_id: string;
  original_patient_id: string;
}

function toLink(row: LinkRow): LinkRecord {
  return {
    id: row.id,
    facilityCode: row.facility_code,
    localId: row.local_id,
    patientId: row.patient_id,
    originalPatientId: row.original_patient_id,
  };
}

/** A 64-bit advisory-lock key from a namespaced digest (collisions only cost an extra wait). */
export function advisoryLockKey(namespace: string, material: Buffer | string): bigint {
  return createHash('sha256').update(namespace).update('\u0000').update(material).digest().readBigInt64BE(0);
}

/**
 * Hand-written SQL for the patient tables: the registration path runs thousands of times a second,
 * so it avoids ORM round trips (no select-before-insert) and always runs inside the caller's
 * transaction (`manager`).
 */
@Injectable()
export class PatientRepository {
  /** Transaction-scoped advisory locks, taken in a fixed order so two transactions never deadlock. */
  async lock(manager: EntityManager, keys: readonly bigint[]): Promise<void> {
    const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (sorted.length === 0) return;
    await manager.query(`SELECT ${sorted.map((_, i) => `pg_advisory_xact_lock($${i + 1})`).join(', ')}`, sorted.map(String));
  }

  async findLink(manager: EntityManager, facilityCode: string, localId: string): Promise<LinkRecord | undefined> {
    const rows: LinkRow[] = await manager.query(
      `SELECT id, facility_code, local_id, patient_id, original_patient_id FROM facility_links WHERE facility_code = $1 AND local_id = $2`,
      [facilityCode, localId],
    );
    return rows[0] ? toLink(rows[0]) : undefined;
  }

  async linksOf(manager: EntityManager, patientId: string): Promise<LinkRecord[]> {
    const rows: LinkRow[] = await manager.query(
      `SELECT id, facility_code, local_id, patient_id, original_patient_id FROM facility_links WHERE patient_id = $1 ORDER BY created_at, id`,
      [patientId],
    );
    return rows.map(toLink);
  }

  /** Patients holding the identifier (by blind index); `activeOnly` ignores cancelled/re-issued history. */
  async patientIdsByIdentifier(manager: EntityManager, system: IdentifierSystem, blindIndex: Buffer, activeOnly: boolean): Promise<string[]> {
    const rows: { patient_id: string }[] = await manager.query(
      `SELECT DISTINCT patient_id FROM patient_identifiers WHERE system = $1 AND blind_index = $2 ${activeOnly ? `AND status = 'active'` : ''}`,
      [system, blindIndex],
    );
    return rows.map((r) => r.patient_id);
  }

  async identifiersOf(manager: EntityManager, patientIds: readonly string[]): Promise<IdentifierRecord[]> {
    if (patientIds.length === 0) return [];
    const rows: IdentifierRow[] = await manager.query(
      `SELECT id, patient_id, system, value_ciphertext, key_id, blind_index, status, source_facility, flags
         FROM patient_identifiers WHERE patient_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [patientIds],
    );
    return rows.map(toIdentifier);
  }

  async findPatient(manager: EntityManager, id: string, forUpdate = false): Promise<PatientRecord | undefined> {
    const rows: PatientRow[] = await manager.query(
      `SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toPatient(rows[0]) : undefined;
  }

  async findPatients(manager: EntityManager, ids: readonly string[]): Promise<PatientRecord[]> {
    if (ids.length === 0) return [];
    const rows: PatientRow[] = await manager.query(`SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id = ANY($1::uuid[])`, [ids]);
    return rows.map(toPatient);
  }

  /** Locks both rows in id order (two stewards merging the same pair the other way round never deadlock). */
  async lockPatients(manager: EntityManager, ids: readonly string[]): Promise<PatientRecord[]> {
    const rows: PatientRow[] = await manager.query(
      `SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id = ANY($1::uuid[]) ORDER BY p.id FOR UPDATE`,
      [ids],
    );
    return rows.map(toPatient);
  }

  /**
   * Active patients sharing a blocking key, with the blind indexes of their active CCCD and BHYT
   * numbers (for the matcher and for excluding people with a different CCCD).
   */
  async candidates(
    manager: EntityManager,
    blockingKeys: readonly Buffer[],
    limit: number,
  ): Promise<{ patient: PatientRecord; cccdIndexes: Buffer[]; bhytIndexes: Buffer[] }[]> {
    if (blockingKeys.length === 0) return [];
    const rows: (PatientRow & { cccd: Buffer[] | null; bhyt: Buffer[] | null })[] = await manager.query(
      `SELECT ${PATIENT_COLUMNS},
              (SELECT array_agg(i.blind_index) FROM patient_identifiers i WHERE i.patient_id = p.id AND i.system = 'cccd' AND i.status = 'active') AS cccd,
              (SELECT array_agg(i.blind_index) FROM patient_identifiers i WHERE i.patient_id = p.id AND i.system = 'bhyt') AS bhyt
         FROM patients p
        WHERE p.id IN (SELECT DISTINCT patient_id FROM patient_blocking_keys WHERE blocking_key = ANY($1::bytea[]) LIMIT $2)
          AND p.status = 'active'`,
      [blockingKeys, limit],
    );
    return rows.map((r) => ({ patient: toPatient(r), cccdIndexes: r.cccd ?? [], bhytIndexes: r.bhyt ?? [] }));
  }

  async insertPatient(manager: EntityManager, id: string, d: NormalisedDemographics, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO patients (id, status, merged_into, full_name, name_folded, name_token_key, birth_year, birth_month, birth_day,
                             birth_precision, sex, province_code, commune_code, address_line, phone, created_at, updated_at, version)
       VALUES ($1, 'active', NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, 1)`,
      [id, ...demographicParams(d), now],
    );
  }

  async updateDemographics(manager: EntityManager, id: string, d: NormalisedDemographics, now: Date): Promise<void> {
    await manager.query(
      `UPDATE patients SET full_name = $2, name_folded = $3, name_token_key = $4, birth_year = $5, birth_month = $6, birth_day = $7,
              birth_precision = $8, sex = $9, province_code = $10, commune_code = $11, address_line = $12, phone = $13,
              updated_at = $14, version = version + 1
        WHERE id = $1`,
      [id, ...demographicParams(d), now],
    );
  }

  async insertIdentifiers(manager: EntityManager, patientId: string, sourceFacility: string, ids: readonly NewIdentifier[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    const values: unknown[] = [];
    const rows = ids.map((id, i) => {
      const o = i * 10;
      values.push(id.id, patientId, id.system, id.encrypted.ciphertext, id.encrypted.keyId, id.blindIndex, id.status, sourceFacility, JSON.stringify(id.flags), now);
      return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}, $${o + 7}, $${o + 8}, $${o + 9}::jsonb, $${o + 10}, $${o + 10})`;
    });
    await manager.query(
      `INSERT INTO patient_identifiers (id, patient_id, system, value_ciphertext, key_id, blind_index, status, source_facility, flags, created_at, updated_at)
       VALUES ${rows.join(', ')}`,
      values,
    );
  }

  async setIdentifierStatus(manager: EntityManager, identifierId: string, status: IdentifierStatus, now: Date): Promise<void> {
    await manager.query(`UPDATE patient_identifiers SET status = $2, updated_at = $3 WHERE id = $1`, [identifierId, status, now]);
  }

  async reencryptIdentifier(manager: EntityManager, identifierId: string, encrypted: EncryptedValue, now: Date): Promise<void> {
    await manager.query(`UPDATE patient_identifiers SET value_ciphertext = $2, key_id = $3, updated_at = $4 WHERE id = $1`, [
      identifierId,
      encrypted.ciphertext,
      encrypted.keyId,
      now,
    ]);
  }

  async insertLink(manager: EntityManager, link: LinkRecord, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO facility_links (id, facility_code, local_id, patient_id, original_patient_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [link.id, link.facilityCode, link.localId, link.patientId, link.originalPatientId, now],
    );
  }

  async addBlockingKeys(manager: EntityManager, patientId: string, keys: readonly Buffer[], replace = false): Promise<void> {
    if (replace) await manager.query(`DELETE FROM patient_blocking_keys WHERE patient_id = $1`, [patientId]);
    if (keys.length === 0) return;
    await manager.query(
      `INSERT INTO patient_blocking_keys (blocking_key, patient_id) SELECT DISTINCT k, $2::uuid FROM unnest($1::bytea[]) k ON CONFLICT DO NOTHING`,
      [keys, patientId],
    );
  }

  async moveLinks(manager: EntityManager, linkIds: readonly string[], toPatientId: string, now: Date): Promise<void> {
    if (linkIds.length === 0) return;
    await manager.query(`UPDATE facility_links SET patient_id = $2, updated_at = $3 WHERE id = ANY($1::uuid[])`, [linkIds, toPatientId, now]);
  }

  async moveIdentifiers(manager: EntityManager, identifierIds: readonly string[], toPatientId: string, now: Date): Promise<void> {
    if (identifierIds.length === 0) return;
    await manager.query(`UPDATE patient_identifiers SET patient_id = $2, updated_at = $3 WHERE id = ANY($1::uuid[])`, [identifierIds, toPatientId, now]);
  }

  async setMerged(manager: EntityManager, id: string, survivorId: string | null, now: Date): Promise<void> {
    await manager.query(
      `UPDATE patients SET status = $2, merged_into = $3, updated_at = $4, version = version + 1 WHERE id = $1`,
      [id, survivorId === null ? 'active' : 'merged', survivorId, now],
    );
  }
}

function demographicParams(d: NormalisedDemographics): unknown[] {
  const precision = d.birthDate === undefined ? null : d.birthDate.month === undefined ? 'year' : d.birthDate.day === undefined ? 'month' : 'day';
  return [
    d.fullName,
    d.nameFolded,
    d.nameTokenKey,
    d.birthDate?.year ?? null,
    d.birthDate?.month ?? null,
    d.birthDate?.day ?? null,
    precision,
    d.sex,
    d.provinceCode ?? null,
    d.communeCode ?? null,
    d.addressLine ?? null,
    d.phone ?? null,
  ];
}
