import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type PartialDate } from '@lienthong/vn-standards';
import { type EntityManager } from 'typeorm';
import { type EncryptedValue } from '../../crypto/identifier-crypto';
import { type SqlBatch } from '../../persistence/sql-batch';
import { type IdentifierStatus, type IdentifierSystem } from '../../persistence/entities/patient-identifier.entity';
import { type PatientStatus, type SexCode } from '../../persistence/entities/patient.entity';
import { type NormalisedDemographics } from '../domain/registration-input';
import { type MatchablePatient } from '../domain/patient-matcher';

/** A stored patient: the normalised demographics (without the derived token key) plus row state. */
export interface PatientRecord extends Omit<NormalisedDemographics, 'nameTokenKey'> {
  readonly id: string;
  readonly status: PatientStatus;
  readonly mergedInto: string | null;
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

/** An identifier row as json_build_object renders it (bytea as \\x hex text). */
type JsonIdentifier = Omit<IdentifierRow, 'value_ciphertext' | 'blind_index'> & { value_ciphertext: string; blind_index: string };

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

/** What a registration needs to decide, read in one statement (see PatientRepository.registrationReads). */
export interface RegistrationReads {
  /** This facility's link for the local id, if any. */
  readonly link: { readonly id: string; readonly patientId: string } | undefined;
  /** Lowest patient id holding the incoming active CCCD (only looked for when there is no link). */
  readonly cccdHolder: string | undefined;
  /** All identifiers (system + blind index) of that holder, to tell new identifiers from known ones. */
  readonly holderIdentifiers: readonly { readonly system: IdentifierSystem; readonly blindIndex: Buffer }[];
  /** Blocking candidates (only fetched when there is neither a link nor a CCCD holder). */
  readonly candidates: readonly RegistrationCandidate[];
  /** A stored answer for the Idempotency-Key, if one was given and is known. */
  readonly idempotent: { readonly requestHash: Buffer; readonly operation: string; readonly response: unknown } | undefined;
}

/** A blocking candidate as the matcher needs it, plus its id and CCCD blind indexes. */
export interface RegistrationCandidate extends MatchablePatient {
  readonly id: string;
  readonly cccdIndexes: Buffer[];
  readonly bhytIndexes: Buffer[];
}

const hex = (s: string): Buffer => Buffer.from(s.startsWith('\\x') ? s.slice(2) : s, 'hex');

function partialDate(year: number | null, month: number | null, day: number | null): PartialDate | undefined {
  if (year === null) return undefined;
  return month === null ? { year } : day === null ? { year, month } : { year, month, day };
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

  /**
   * For each asked id: follow merges (at most 10 hops) to the patient to answer with, and load it with
   * its identifiers and links (each ordered by created_at, id) — one round trip. Ids that do not
   * exist, or whose merge chain ends at a missing row, are absent from the answer.
   */
  async resolveFacts(
    manager: EntityManager,
    asked: readonly string[] | { readonly system: IdentifierSystem; readonly blindIndex: Buffer },
  ): Promise<{ asked: string; patient: PatientRecord; identifiers: IdentifierRecord[]; links: LinkRecord[] }[]> {
    if (Array.isArray(asked) && asked.length === 0) return [];
    // Either the given ids, or every patient holding the identifier (any status), as patientIdsByIdentifier.
    const source = Array.isArray(asked)
      ? { sql: `SELECT DISTINCT unnest($1::uuid[]) AS asked`, params: [asked] }
      : { sql: `SELECT DISTINCT patient_id AS asked FROM patient_identifiers WHERE system = $1 AND blind_index = $2`, params: [(asked as { system: string }).system, (asked as { blindIndex: Buffer }).blindIndex] };
    const rows: (PatientRow & { asked: string; chain_broken: boolean; identifiers: JsonIdentifier[] | null; links: LinkRow[] | null })[] = await manager.query(
      `WITH RECURSIVE chain AS (
         SELECT a.asked, p.id, p.status, p.merged_into, 0 AS hops
           FROM (${source.sql}) a JOIN patients p ON p.id = a.asked
         UNION ALL
         SELECT c.asked, p.id, p.status, p.merged_into, c.hops + 1
           FROM chain c JOIN patients p ON p.id = c.merged_into
          WHERE c.status = 'merged' AND c.hops < 10
       ), last AS (
         SELECT DISTINCT ON (asked) asked, id, (status = 'merged' AND merged_into IS NOT NULL AND hops < 10) AS chain_broken
           FROM chain ORDER BY asked, hops DESC
       )
       SELECT l.asked, l.chain_broken, ${PATIENT_COLUMNS},
              (SELECT json_agg(json_build_object('id', i.id, 'patient_id', i.patient_id, 'system', i.system, 'value_ciphertext', i.value_ciphertext,
                                                 'key_id', i.key_id, 'blind_index', i.blind_index, 'status', i.status,
                                                 'source_facility', i.source_facility, 'flags', i.flags) ORDER BY i.created_at, i.id)
                 FROM patient_identifiers i WHERE i.patient_id = p.id) AS identifiers,
              (SELECT json_agg(json_build_object('id', f.id, 'facility_code', f.facility_code, 'local_id', f.local_id,
                                                 'patient_id', f.patient_id, 'original_patient_id', f.original_patient_id) ORDER BY f.created_at, f.id)
                 FROM facility_links f WHERE f.patient_id = p.id) AS links
         FROM last l JOIN patients p ON p.id = l.id
        ORDER BY l.asked`,
      source.params,
    );
    return rows
      .filter((r) => !r.chain_broken)
      .map((r) => ({
        asked: r.asked,
        patient: toPatient(r),
        identifiers: (r.identifiers ?? []).map((i) =>
          toIdentifier({ ...i, value_ciphertext: hex(i.value_ciphertext), blind_index: hex(i.blind_index) }),
        ),
        links: (r.links ?? []).map(toLink),
      }));
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

  /**
   * Everything a registration reads, in ONE round trip (run after the advisory locks, in the same
   * transaction): the facility link, the holder of the incoming active CCCD and its identifiers, the
   * blocking candidates and the idempotency answer. Later parts are skipped by one-time filters when
   * an earlier one decides (no candidate fetch when the link or the CCCD holder is known). Candidates
   * are the same as `candidates()`: active patients sharing a blocking key, at most `limit`.
   */
  async registrationReads(
    manager: EntityManager,
    q: {
      facilityCode: string;
      localId: string;
      cccdIndex: Buffer | undefined;
      blockingKeys: readonly Buffer[];
      limit: number;
      idempotencyKey: string | undefined;
    },
  ): Promise<RegistrationReads> {
    const rows: {
      link: { id: string; patient_id: string } | null;
      holder: string | null;
      holder_ids: { system: IdentifierSystem; blind_index: string }[] | null;
      candidates: {
        id: string; n: string; y: number | null; m: number | null; d: number | null; s: number;
        pr: string | null; co: string | null; ph: string | null; cccd: string[] | null; bhyt: string[] | null;
      }[] | null;
      idem: { request_hash: string; operation: string; response: unknown } | null;
    }[] = await manager.query(
      `WITH link AS (
         SELECT id, patient_id FROM facility_links WHERE facility_code = $1 AND local_id = $2
       ), holder AS (
         SELECT patient_id FROM patient_identifiers
          WHERE $3::bytea IS NOT NULL AND system = 'cccd' AND blind_index = $3::bytea AND status = 'active'
            AND NOT EXISTS (SELECT 1 FROM link)
          ORDER BY patient_id LIMIT 1
       )
       SELECT (SELECT json_build_object('id', id, 'patient_id', patient_id) FROM link) AS link,
              (SELECT patient_id FROM holder) AS holder,
              (SELECT json_agg(json_build_object('system', i.system, 'blind_index', i.blind_index))
                 FROM patient_identifiers i WHERE i.patient_id = (SELECT patient_id FROM holder)) AS holder_ids,
              (SELECT json_agg(json_build_object(
                        'id', p.id, 'n', p.full_name, 'y', p.birth_year, 'm', p.birth_month, 'd', p.birth_day, 's', p.sex,
                        'pr', p.province_code, 'co', p.commune_code, 'ph', p.phone,
                        'cccd', (SELECT array_agg(i.blind_index) FROM patient_identifiers i WHERE i.patient_id = p.id AND i.system = 'cccd' AND i.status = 'active'),
                        'bhyt', (SELECT array_agg(i.blind_index) FROM patient_identifiers i WHERE i.patient_id = p.id AND i.system = 'bhyt')))
                 FROM patients p
                WHERE p.id IN (SELECT DISTINCT patient_id FROM patient_blocking_keys WHERE blocking_key = ANY($4::bytea[]) LIMIT $5)
                  AND p.status = 'active'
                  AND NOT EXISTS (SELECT 1 FROM link) AND NOT EXISTS (SELECT 1 FROM holder)) AS candidates,
              (SELECT json_build_object('request_hash', k.request_hash, 'operation', k.operation, 'response', k.response)
                 FROM idempotency_keys k WHERE $6::text IS NOT NULL AND k.facility_code = $1 AND k.key = $6::text) AS idem`,
      [q.facilityCode, q.localId, q.cccdIndex ?? null, q.blockingKeys, q.limit, q.idempotencyKey ?? null],
    );
    const r = rows[0];
    if (!r) throw new Error('registration read returned no row');
    return {
      link: r.link ? { id: r.link.id, patientId: r.link.patient_id } : undefined,
      cccdHolder: r.holder ?? undefined,
      holderIdentifiers: (r.holder_ids ?? []).map((i) => ({ system: i.system, blindIndex: hex(i.blind_index) })),
      candidates: (r.candidates ?? []).map((c) => ({
        id: c.id,
        fullName: c.n,
        birthDate: partialDate(c.y, c.m, c.d),
        sex: c.s as SexCode,
        provinceCode: c.pr ?? undefined,
        communeCode: c.co ?? undefined,
        phone: c.ph ?? undefined,
        cccdIndexes: (c.cccd ?? []).map(hex),
        bhytIndexes: (c.bhyt ?? []).map(hex),
      })),
      idempotent: r.idem ? { requestHash: hex(r.idem.request_hash), operation: r.idem.operation, response: r.idem.response } : undefined,
    };
  }

  /** insertPatient, as part of a batch. */
  batchInsertPatient(batch: SqlBatch, id: string, d: NormalisedDemographics, now: Date): void {
    batch.write((p) => {
      const [fullName, folded, tokenKey, year, month, day, precision, sex, province, commune, address, phone] = demographicParams(d);
      const at = p(now);
      return `INSERT INTO patients (id, status, merged_into, full_name, name_folded, name_token_key, birth_year, birth_month, birth_day,
                             birth_precision, sex, province_code, commune_code, address_line, phone, created_at, updated_at, version)
       VALUES (${p(id)}::uuid, 'active', NULL, ${p(fullName)}, ${p(folded)}, ${p(tokenKey)}, ${p(year)}::smallint, ${p(month)}::smallint, ${p(day)}::smallint, ${p(precision)},
               ${p(sex)}::smallint, ${p(province)}, ${p(commune)}, ${p(address)}, ${p(phone)}, ${at}::timestamptz, ${at}::timestamptz, 1)`;
    });
  }

  /** insertIdentifiers, as part of a batch. */
  batchInsertIdentifiers(batch: SqlBatch, patientId: string, sourceFacility: string, ids: readonly NewIdentifier[], now: Date): void {
    if (ids.length === 0) return;
    batch.write((p) => {
      const pid = p(patientId);
      const src = p(sourceFacility);
      const at = p(now);
      const rows = ids.map(
        (id) =>
          `(${p(id.id)}::uuid, ${pid}::uuid, ${p(id.system)}, ${p(id.encrypted.ciphertext)}::bytea, ${p(id.encrypted.keyId)}, ${p(id.blindIndex)}::bytea, ${p(id.status)}, ${src}, ${p(JSON.stringify(id.flags))}::jsonb, ${at}::timestamptz, ${at}::timestamptz)`,
      );
      return `INSERT INTO patient_identifiers (id, patient_id, system, value_ciphertext, key_id, blind_index, status, source_facility, flags, created_at, updated_at) VALUES ${rows.join(', ')}`;
    });
  }

  /** insertLink, as part of a batch. */
  batchInsertLink(batch: SqlBatch, link: LinkRecord, now: Date): void {
    batch.write((p) => {
      const at = p(now);
      return `INSERT INTO facility_links (id, facility_code, local_id, patient_id, original_patient_id, created_at, updated_at)
       VALUES (${p(link.id)}::uuid, ${p(link.facilityCode)}, ${p(link.localId)}, ${p(link.patientId)}::uuid, ${p(link.originalPatientId)}::uuid, ${at}::timestamptz, ${at}::timestamptz)`;
    });
  }

  /** addBlockingKeys (without replace), as part of a batch. */
  batchAddBlockingKeys(batch: SqlBatch, patientId: string, keys: readonly Buffer[]): void {
    if (keys.length === 0) return;
    batch.write(
      (p) =>
        `INSERT INTO patient_blocking_keys (blocking_key, patient_id) SELECT DISTINCT k, ${p(patientId)}::uuid FROM unnest(${p(keys)}::bytea[]) k ON CONFLICT DO NOTHING`,
    );
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
