import { Injectable } from '@nestjs/common';
import { type Db, type SqlParam, type Tx } from '@lienthong/persistence';
import { isFacilityLevel, type IdentifierSystem, type PartialDate } from '@lienthong/vn-standards';
import {
  type IdentifierRecord,
  type IdentifierStatus,
  type LinkRecord,
  type NewIdentifier,
  type NormalisedDemographics,
  type PatientFacts,
  type PatientRecord,
  type PatientStatus,
  type SexCode,
} from '../../domain/patient';
import { birthPrecision } from '../../domain/registration-input';
import { SURVIVOR_FIELDS, type SourceRecord, type SurvivorField } from '../../domain/survivorship';
import {
  PatientStore,
  type KeyedIdentifier,
  type PatientState,
  type PatientLookup,
  type RegistrationCandidate,
  type RegistrationQuery,
  type RegistrationReads,
  type RewrappedIdentifier,
} from '../../ports/patient-store.port';

/** A `patients` row as selected by PATIENT_COLUMNS. */
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

/** A `patient_identifiers` row; inside json_build_object bytea arrives as `\x…` hex text (see `bytes`). */
interface IdentifierRow<B = Buffer> {
  id: string;
  patient_id: string;
  system: IdentifierSystem;
  value_ciphertext: B;
  key_id: string;
  blind_index: B;
  status: IdentifierStatus;
  source_facility: string;
  flags: string[];
}

const IDENTIFIER_COLUMNS = `i.id, i.patient_id, i.system, i.value_ciphertext, i.key_id, i.blind_index, i.status, i.source_facility, i.flags`;
const IDENTIFIER_JSON = `json_build_object('id', i.id, 'patient_id', i.patient_id, 'system', i.system, 'value_ciphertext', i.value_ciphertext,
  'key_id', i.key_id, 'blind_index', i.blind_index, 'status', i.status, 'source_facility', i.source_facility, 'flags', i.flags)`;

interface LinkRow {
  id: string;
  facility_code: string;
  local_id: string;
  patient_id: string;
  original_patient_id: string;
}

const LINK_COLUMNS = `f.id, f.facility_code, f.local_id, f.patient_id, f.original_patient_id`;
const LINK_JSON = `json_build_object('id', f.id, 'facility_code', f.facility_code, 'local_id', f.local_id, 'patient_id', f.patient_id, 'original_patient_id', f.original_patient_id)`;

/** A source record `s` of link `f`, with the level of its facility `fac` in the registry (compact: one per link of a patient). */
const SOURCE_JSON = `json_build_object('l', s.link_id, 'fc', f.facility_code, 'li', f.local_id, 'n', s.full_name, 'nf', s.name_folded,
  'y', s.birth_year, 'm', s.birth_month, 'd', s.birth_day, 's', s.sex, 'pr', s.province_code, 'co', s.commune_code, 'ad', s.address_line,
  'ph', s.phone, 'cv', s.cccd_verified, 'dis', s.disputed_fields, 'at', s.reported_at, 'lvl', fac.level)`;
/** The source records of the links patient id `patient` holds now. */
const SOURCES_OF = (patient: string) =>
  `SELECT json_agg(${SOURCE_JSON} ORDER BY f.created_at, f.id) FROM patient_source_records s JOIN facility_links f ON f.id = s.link_id
     LEFT JOIN facilities fac ON fac.code = f.facility_code WHERE f.patient_id = ${patient}`;

interface SourceJson {
  l: string; fc: string; li: string; n: string; nf: string; y: number | null; m: number | null; d: number | null; s: number;
  pr: string | null; co: string | null; ad: string | null; ph: string | null; cv: boolean; dis: string[]; at: string; lvl: string | null;
}

const isSurvivorField = (f: string): f is SurvivorField => (SURVIVOR_FIELDS as readonly string[]).includes(f);

function toSource(j: SourceJson): SourceRecord {
  return {
    linkId: j.l,
    facilityCode: j.fc,
    localId: j.li,
    demographics: {
      fullName: j.n,
      nameFolded: j.nf,
      birthDate: partialDate(j.y, j.m, j.d),
      sex: j.s as SexCode,
      provinceCode: j.pr ?? undefined,
      communeCode: j.co ?? undefined,
      addressLine: j.ad ?? undefined,
      phone: j.ph ?? undefined,
    },
    cccdVerified: j.cv,
    disputedFields: j.dis.filter(isSurvivorField),
    reportedAt: new Date(j.at),
    facilityLevel: j.lvl !== null && isFacilityLevel(j.lvl) ? j.lvl : undefined,
  };
}

/** Column values of a source record, in the order of SOURCE_COLUMNS. */
function sourceValues(r: SourceRecord, p: SqlParam): string[] {
  const d = r.demographics;
  return [
    p(d.fullName),
    p(d.nameFolded),
    `${p(d.birthDate?.year ?? null)}::smallint`,
    `${p(d.birthDate?.month ?? null)}::smallint`,
    `${p(d.birthDate?.day ?? null)}::smallint`,
    `${p(d.sex)}::smallint`,
    p(d.provinceCode ?? null),
    p(d.communeCode ?? null),
    p(d.addressLine ?? null),
    p(d.phone ?? null),
    `${p(r.cccdVerified)}::boolean`,
    `${p(JSON.stringify(r.disputedFields))}::jsonb`,
    `${p(r.reportedAt)}::timestamptz`,
  ];
}
const SOURCE_COLUMNS = [
  'full_name', 'name_folded', 'birth_year', 'birth_month', 'birth_day', 'sex', 'province_code', 'commune_code', 'address_line', 'phone',
  'cccd_verified', 'disputed_fields', 'reported_at',
] as const;

/**
 * A blocking candidate of patient `p` as one compact JSON object: only what the matcher and the CCCD
 * exclusion need (no timestamps to parse), with the blind indexes of its active CCCD and all its BHYT
 * numbers. Registration scores ~50 of these per call, so the shape is kept small.
 */
const CANDIDATE_JSON = `json_build_object('id', p.id, 'n', p.full_name, 'y', p.birth_year, 'm', p.birth_month, 'd', p.birth_day, 's', p.sex,
  'pr', p.province_code, 'co', p.commune_code, 'ph', p.phone,
  'cccd', (SELECT array_agg(i.blind_index) FROM patient_identifiers i WHERE i.patient_id = p.id AND i.system = 'cccd' AND i.status = 'active'),
  'bhyt', (SELECT array_agg(i.blind_index) FROM patient_identifiers i WHERE i.patient_id = p.id AND i.system = 'bhyt'))`;
/** Active patients sharing one of the blocking keys $keys (at most $limit). */
const CANDIDATE_FILTER = (keys: string, limit: string) =>
  `p.id IN (SELECT DISTINCT patient_id FROM patient_blocking_keys WHERE blocking_key = ANY(${keys}::bytea[]) LIMIT ${limit}) AND p.status = 'active'`;

const bytes = (s: string | Buffer): Buffer => (Buffer.isBuffer(s) ? s : Buffer.from(s.startsWith('\\x') ? s.slice(2) : s, 'hex'));

function partialDate(year: number | null, month: number | null, day: number | null): PartialDate | undefined {
  if (year === null) return undefined;
  return month === null ? { year } : day === null ? { year, month } : { year, month, day };
}

function toPatient(row: PatientRow): PatientRecord {
  return {
    id: row.id,
    status: row.status,
    mergedInto: row.merged_into,
    fullName: row.full_name,
    nameFolded: row.name_folded,
    birthDate: partialDate(row.birth_year, row.birth_month, row.birth_day),
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

function toIdentifier(row: IdentifierRow<string | Buffer>): IdentifierRecord {
  return {
    id: row.id,
    patientId: row.patient_id,
    system: row.system,
    encrypted: { ciphertext: bytes(row.value_ciphertext), keyId: row.key_id },
    blindIndex: bytes(row.blind_index),
    status: row.status,
    sourceFacility: row.source_facility,
    flags: row.flags,
  };
}

function toLink(row: LinkRow): LinkRecord {
  return { id: row.id, facilityCode: row.facility_code, localId: row.local_id, patientId: row.patient_id, originalPatientId: row.original_patient_id };
}

interface CandidateJson {
  id: string; n: string; y: number | null; m: number | null; d: number | null; s: number;
  pr: string | null; co: string | null; ph: string | null; cccd: string[] | null; bhyt: string[] | null;
}

function toCandidate(c: CandidateJson): RegistrationCandidate {
  return {
    id: c.id,
    fullName: c.n,
    birthDate: partialDate(c.y, c.m, c.d),
    sex: c.s as SexCode,
    provinceCode: c.pr ?? undefined,
    communeCode: c.co ?? undefined,
    phone: c.ph ?? undefined,
    cccdIndexes: (c.cccd ?? []).map(bytes),
    bhytIndexes: (c.bhyt ?? []).map(bytes),
  };
}

/** Column values of a patient's demographics, in the order of DEMOGRAPHIC_COLUMNS. */
function demographicValues(d: NormalisedDemographics, p: SqlParam): string[] {
  return [
    p(d.fullName),
    p(d.nameFolded),
    p(d.nameTokenKey),
    `${p(d.birthDate?.year ?? null)}::smallint`,
    `${p(d.birthDate?.month ?? null)}::smallint`,
    `${p(d.birthDate?.day ?? null)}::smallint`,
    p(birthPrecision(d.birthDate)),
    `${p(d.sex)}::smallint`,
    p(d.provinceCode ?? null),
    p(d.communeCode ?? null),
    p(d.addressLine ?? null),
    p(d.phone ?? null),
  ];
}
const DEMOGRAPHIC_COLUMNS = [
  'full_name', 'name_folded', 'name_token_key', 'birth_year', 'birth_month', 'birth_day',
  'birth_precision', 'sex', 'province_code', 'commune_code', 'address_line', 'phone',
] as const;

/**
 * The patient tables in hand-written SQL, each statement once: the registration path runs thousands of
 * times a second, so reads are composed into single statements and writes are queued into the caller's
 * unit of work (no select-before-insert, no round trip per row).
 */
@Injectable()
export class PatientRepository extends PatientStore {
  async registrationReads(db: Db, q: RegistrationQuery): Promise<RegistrationReads> {
    const rows = await db.query<{
      link: { id: string; patient_id: string } | null;
      holder: string | null;
      holder_ids: { system: IdentifierSystem; blind_index: string }[] | null;
      candidates: CandidateJson[] | null;
      idem: { request_hash: string; operation: string; response: unknown } | null;
      level: string | null;
      sensitive: boolean;
    }>(
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
              (SELECT json_agg(${CANDIDATE_JSON}) FROM patients p
                WHERE ${CANDIDATE_FILTER('$4', '$5')} AND NOT EXISTS (SELECT 1 FROM link) AND NOT EXISTS (SELECT 1 FROM holder)) AS candidates,
              (SELECT json_build_object('request_hash', k.request_hash, 'operation', k.operation, 'response', k.response)
                 FROM idempotency_keys k WHERE $6::text IS NOT NULL AND k.facility_code = $1 AND k.key = $6::text) AS idem,
              (SELECT level FROM facilities WHERE code = $1) AS level,
              coalesce((SELECT sensitive FROM facilities WHERE code = $1), false) AS sensitive`,
      [q.facilityCode, q.localId, q.cccdIndex ?? null, q.blockingKeys, q.limit, q.idempotencyKey ?? null],
    );
    const r = rows[0];
    if (!r) throw new Error('registration read returned no row');
    return {
      link: r.link ? { id: r.link.id, patientId: r.link.patient_id } : undefined,
      cccdHolder: r.holder ?? undefined,
      holderIdentifiers: (r.holder_ids ?? []).map((i) => ({ system: i.system, blindIndex: bytes(i.blind_index) })),
      candidates: (r.candidates ?? []).map(toCandidate),
      idempotent: r.idem ? { requestHash: bytes(r.idem.request_hash), operation: r.idem.operation, response: r.idem.response } : undefined,
      facilityLevel: r.level !== null && isFacilityLevel(r.level) ? r.level : undefined,
      facilitySensitive: r.sensitive,
    };
  }

  async resolve(db: Db, lookup: PatientLookup, sourcesOf: string | undefined): Promise<{ asked: string; facts: PatientFacts }[]> {
    const byIds = Array.isArray(lookup);
    if (byIds && lookup.length === 0) return [];
    const source = byIds
      ? { sql: `SELECT DISTINCT unnest($1::uuid[]) AS asked`, params: [lookup] as unknown[] }
      : {
          sql: `SELECT DISTINCT patient_id AS asked FROM patient_identifiers WHERE system = $1 AND blind_index = $2`,
          params: [(lookup as { system: string }).system, (lookup as { blindIndex: Buffer }).blindIndex] as unknown[],
        };
    const sourcesParam = `$${source.params.length + 1}`;
    const rows = await db.query<
      PatientRow & { asked: string; chain_broken: boolean; identifiers: IdentifierRow<string>[] | null; links: LinkRow[] | null; sources: SourceJson[] | null }
    >(
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
              (SELECT json_agg(${IDENTIFIER_JSON} ORDER BY i.created_at, i.id) FROM patient_identifiers i WHERE i.patient_id = p.id) AS identifiers,
              (SELECT json_agg(${LINK_JSON} ORDER BY f.created_at, f.id) FROM facility_links f WHERE f.patient_id = p.id) AS links,
              CASE WHEN ${sourcesParam}::text IS NULL THEN NULL ELSE (${SOURCES_OF('p.id')} AND f.facility_code = ${sourcesParam}::text) END AS sources
         FROM last l JOIN patients p ON p.id = l.id
        ORDER BY l.asked`,
      [...source.params, sourcesOf ?? null],
    );
    return rows
      .filter((r) => !r.chain_broken)
      .map((r) => ({
        asked: r.asked,
        facts: {
          patient: toPatient(r),
          identifiers: (r.identifiers ?? []).map(toIdentifier),
          links: (r.links ?? []).map(toLink),
          sources: (r.sources ?? []).map(toSource),
        },
      }));
  }

  async findLink(db: Db, facilityCode: string, localId: string): Promise<LinkRecord | undefined> {
    const rows = await db.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM facility_links f WHERE f.facility_code = $1 AND f.local_id = $2`, [facilityCode, localId]);
    return rows[0] ? toLink(rows[0]) : undefined;
  }

  async lockPatients(tx: Tx, ids: readonly string[]): Promise<PatientRecord[]> {
    const rows = await tx.query<PatientRow>(`SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id = ANY($1::uuid[]) ORDER BY p.id FOR UPDATE`, [ids]);
    return rows.map(toPatient);
  }

  async identifiersOf(db: Db, patientIds: readonly string[]): Promise<IdentifierRecord[]> {
    if (patientIds.length === 0) return [];
    const rows = await db.query<IdentifierRow>(
      `SELECT ${IDENTIFIER_COLUMNS} FROM patient_identifiers i WHERE i.patient_id = ANY($1::uuid[]) ORDER BY i.created_at, i.id`,
      [patientIds],
    );
    return rows.map(toIdentifier);
  }

  async stateOf(db: Db, patientId: string): Promise<PatientState> {
    const [row] = await db.query<{ identifiers: IdentifierRow<string>[] | null; sources: SourceJson[] | null }>(
      `SELECT (SELECT json_agg(${IDENTIFIER_JSON} ORDER BY i.created_at, i.id) FROM patient_identifiers i WHERE i.patient_id = $1) AS identifiers,
              (${SOURCES_OF('$1')}) AS sources`,
      [patientId],
    );
    return { identifiers: (row?.identifiers ?? []).map(toIdentifier), sources: (row?.sources ?? []).map(toSource) };
  }

  async linksOf(db: Db, patientId: string): Promise<LinkRecord[]> {
    const rows = await db.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM facility_links f WHERE f.patient_id = $1 ORDER BY f.created_at, f.id`, [patientId]);
    return rows.map(toLink);
  }

  async linksStillOn(db: Db, linkIds: readonly string[], patientId: string): Promise<string[]> {
    if (linkIds.length === 0) return [];
    const rows = await db.query<{ id: string }>(`SELECT id FROM facility_links WHERE id = ANY($1::uuid[]) AND patient_id = $2`, [linkIds, patientId]);
    return rows.map((r) => r.id);
  }

  async patientIdsByIdentifier(db: Db, system: IdentifierSystem, blindIndex: Buffer, activeOnly: boolean): Promise<string[]> {
    const rows = await db.query<{ patient_id: string }>(
      `SELECT DISTINCT patient_id FROM patient_identifiers WHERE system = $1 AND blind_index = $2 AND (NOT $3 OR status = 'active')`,
      [system, blindIndex, activeOnly],
    );
    return rows.map((r) => r.patient_id);
  }

  async candidates(db: Db, blockingKeys: readonly Buffer[], limit: number): Promise<RegistrationCandidate[]> {
    if (blockingKeys.length === 0) return [];
    const rows = await db.query<{ c: CandidateJson }>(`SELECT ${CANDIDATE_JSON} AS c FROM patients p WHERE ${CANDIDATE_FILTER('$1', '$2')}`, [blockingKeys, limit]);
    return rows.map((r) => toCandidate(r.c));
  }

  insertPatient(tx: Tx, id: string, d: NormalisedDemographics, now: Date): void {
    tx.write((p) => {
      const at = p(now);
      return `INSERT INTO patients (id, status, merged_into, ${DEMOGRAPHIC_COLUMNS.join(', ')}, created_at, updated_at, version)
              VALUES (${p(id)}::uuid, 'active', NULL, ${demographicValues(d, p).join(', ')}, ${at}::timestamptz, ${at}::timestamptz, 1)`;
    });
  }

  updateDemographics(tx: Tx, id: string, d: NormalisedDemographics, now: Date): void {
    tx.write((p) => {
      const values = demographicValues(d, p);
      const set = DEMOGRAPHIC_COLUMNS.map((c, i) => `${c} = ${values[i] ?? 'NULL'}`).join(', ');
      return `UPDATE patients SET ${set}, updated_at = ${p(now)}::timestamptz, version = version + 1 WHERE id = ${p(id)}::uuid`;
    });
  }

  insertIdentifiers(tx: Tx, patientId: string, sourceFacility: string, identifiers: readonly NewIdentifier[], now: Date): void {
    if (identifiers.length === 0) return;
    tx.write((p) => {
      const [pid, src, at] = [p(patientId), p(sourceFacility), p(now)];
      const rows = identifiers.map(
        (i) =>
          `(${p(i.id)}::uuid, ${pid}::uuid, ${p(i.system)}, ${p(i.encrypted.ciphertext)}::bytea, ${p(i.encrypted.keyId)}, ${p(i.blindIndex)}::bytea, ${p(i.status)}, ${src}, ${p(JSON.stringify(i.flags))}::jsonb, ${at}::timestamptz, ${at}::timestamptz)`,
      );
      return `INSERT INTO patient_identifiers (id, patient_id, system, value_ciphertext, key_id, blind_index, status, source_facility, flags, created_at, updated_at) VALUES ${rows.join(', ')}`;
    });
  }

  setIdentifierStatus(tx: Tx, identifierId: string, status: IdentifierStatus, now: Date): void {
    tx.write((p) => `UPDATE patient_identifiers SET status = ${p(status)}, updated_at = ${p(now)}::timestamptz WHERE id = ${p(identifierId)}::uuid`);
  }

  insertLink(tx: Tx, link: LinkRecord, now: Date): void {
    tx.write((p) => {
      const at = p(now);
      return `INSERT INTO facility_links (id, facility_code, local_id, patient_id, original_patient_id, created_at, updated_at)
              VALUES (${p(link.id)}::uuid, ${p(link.facilityCode)}, ${p(link.localId)}, ${p(link.patientId)}::uuid, ${p(link.originalPatientId)}::uuid, ${at}::timestamptz, ${at}::timestamptz)`;
    });
  }

  saveSource(tx: Tx, patientId: string, source: SourceRecord): void {
    tx.write((p) => {
      const values = sourceValues(source, p);
      return `INSERT INTO patient_source_records (link_id, ${SOURCE_COLUMNS.join(', ')}) VALUES (${p(source.linkId)}::uuid, ${values.join(', ')})
              ON CONFLICT (link_id) DO UPDATE SET ${SOURCE_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
    });
    tx.write(
      (p) =>
        `INSERT INTO patient_source_history (link_id, patient_id, facility_code, local_id, ${SOURCE_COLUMNS.join(', ')})
         VALUES (${p(source.linkId)}::uuid, ${p(patientId)}::uuid, ${p(source.facilityCode)}, ${p(source.localId)}, ${sourceValues(source, p).join(', ')})`,
    );
  }

  addBlockingKeys(tx: Tx, patientId: string, keys: readonly Buffer[]): void {
    if (keys.length === 0) return;
    tx.write(
      (p) => `INSERT INTO patient_blocking_keys (blocking_key, patient_id) SELECT DISTINCT k, ${p(patientId)}::uuid FROM unnest(${p(keys)}::bytea[]) k ON CONFLICT DO NOTHING`,
    );
  }

  copyBlockingKeys(tx: Tx, fromPatientId: string, toPatientId: string): void {
    tx.write(
      (p) =>
        `INSERT INTO patient_blocking_keys (blocking_key, patient_id) SELECT blocking_key, ${p(toPatientId)}::uuid FROM patient_blocking_keys WHERE patient_id = ${p(fromPatientId)}::uuid ON CONFLICT DO NOTHING`,
    );
  }

  moveLinks(tx: Tx, linkIds: readonly string[], toPatientId: string, now: Date): void {
    if (linkIds.length === 0) return;
    tx.write((p) => `UPDATE facility_links SET patient_id = ${p(toPatientId)}::uuid, updated_at = ${p(now)}::timestamptz WHERE id = ANY(${p(linkIds)}::uuid[])`);
  }

  moveIdentifiers(tx: Tx, identifierIds: readonly string[], toPatientId: string, now: Date, onlyFrom?: string): void {
    if (identifierIds.length === 0) return;
    tx.write(
      (p) =>
        `UPDATE patient_identifiers SET patient_id = ${p(toPatientId)}::uuid, updated_at = ${p(now)}::timestamptz
          WHERE id = ANY(${p(identifierIds)}::uuid[]) AND (${p(onlyFrom ?? null)}::uuid IS NULL OR patient_id = ${p(onlyFrom ?? null)}::uuid)`,
    );
  }

  setMerged(tx: Tx, id: string, survivorId: string | null, now: Date): void {
    tx.write(
      (p) =>
        `UPDATE patients SET status = ${p(survivorId === null ? 'active' : 'merged')}, merged_into = ${p(survivorId)}::uuid, updated_at = ${p(now)}::timestamptz, version = version + 1 WHERE id = ${p(id)}::uuid`,
    );
  }

  async countIdentifiersByKey(db: Db): Promise<{ keyId: string; rows: number }[]> {
    const rows = await db.query<{ key_id: string; rows: string }>(`SELECT key_id, count(*) AS rows FROM patient_identifiers GROUP BY key_id ORDER BY key_id`);
    return rows.map((r) => ({ keyId: r.key_id, rows: Number(r.rows) }));
  }

  async lockIdentifiersNotUnder(tx: Tx, keyId: string, afterId: string | undefined, limit: number): Promise<KeyedIdentifier[]> {
    // Walks the primary key from the cursor, so a batch reads about `limit` rows however far the job
    // has got (a filter on key_id alone would re-read every finished row at each batch).
    const rows = await tx.query<Pick<IdentifierRow, 'id' | 'system' | 'value_ciphertext' | 'key_id'>>(
      `SELECT i.id, i.system, i.value_ciphertext, i.key_id FROM patient_identifiers i
        WHERE i.key_id <> $1 AND ($2::uuid IS NULL OR i.id > $2::uuid)
        ORDER BY i.id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [keyId, afterId ?? null, limit],
    );
    return rows.map((r) => ({ id: r.id, system: r.system, encrypted: { ciphertext: r.value_ciphertext, keyId: r.key_id } }));
  }

  rewrapIdentifiers(tx: Tx, rows: readonly RewrappedIdentifier[]): void {
    if (rows.length === 0) return;
    // updated_at is left alone: the identifier did not change, only the key protecting it.
    tx.write(
      (p) =>
        `UPDATE patient_identifiers i SET value_ciphertext = r.ciphertext, key_id = r.key_id
           FROM unnest(${p(rows.map((r) => r.id))}::uuid[], ${p(rows.map((r) => r.fromKeyId))}::text[], ${p(rows.map((r) => r.encrypted.ciphertext))}::bytea[],
                       ${p(rows.map((r) => r.encrypted.keyId))}::text[]) AS r(id, from_key_id, ciphertext, key_id)
          WHERE i.id = r.id AND i.key_id = r.from_key_id`,
    );
  }
}
