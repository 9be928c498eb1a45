import type { Db, Tx } from '@lienthong/persistence';
import { type ConsentChannel, type DataCategory, type PurposeOfUse, type RepresentativeRelationship } from '@lienthong/vn-standards';
import { Injectable } from '@nestjs/common';
import { type ConsentStatus, type ConsentVersion, type Grantee } from '../../domain/consent';
import { type ConsentPage, ConsentStore, type StoredConsent } from '../../ports/consent-store.port';

/** A consent joined with one of its versions. */
interface VersionRow {
  consent_id: string;
  enterprise_patient_id: string;
  original_patient_id: string;
  created_at: Date;
  version: number;
  status: ConsentStatus;
  purposes: PurposeOfUse[];
  categories: DataCategory[];
  grantees: Grantee[];
  valid_from: Date;
  valid_until: Date | null;
  channel: ConsentChannel;
  reference: string | null;
  document_sha256: string | null;
  recorded_by: string;
  recorded_at_facility: string;
  recorded_at: Date;
  informed_of_sensitivity: boolean;
  representative: { relationship: RepresentativeRelationship; name: string; subjectBirthDate: string; childConsented: boolean } | null;
}

/** How many merges a patient id is followed through to the one holding its consents. */
const MAX_MERGE_DEPTH = 10;

const VERSION_COLUMNS = `c.consent_id, c.enterprise_patient_id, c.original_patient_id, c.created_at,
  v.version, v.status, v.purposes, v.categories, v.grantees, v.valid_from, v.valid_until, v.channel, v.reference,
  v.document_sha256, v.recorded_by, v.recorded_at_facility, v.recorded_at, v.informed_of_sensitivity, v.representative`;

/**
 * `consents`, `consent_versions` (append-only: a trigger refuses UPDATE and DELETE) and the grant ends
 * in `consent_expiries` as this service records them. Writes are queued in the caller's unit of work;
 * each read is one statement.
 */
@Injectable()
export class ConsentRepository extends ConsentStore {
  insertConsent(tx: Tx, consent: { readonly consentId: string; readonly enterprisePatientId: string; readonly createdAt: Date }): void {
    tx.write(
      (p) =>
        `INSERT INTO consents (consent_id, enterprise_patient_id, original_patient_id, created_at)
         VALUES (${p(consent.consentId)}::uuid, ${p(consent.enterprisePatientId)}::uuid, ${p(consent.enterprisePatientId)}::uuid, ${p(consent.createdAt)}::timestamptz)`,
    );
  }

  appendVersion(tx: Tx, v: ConsentVersion, recordedBySubject: string): void {
    const { scope, evidence } = v;
    tx.write(
      (p) =>
        `INSERT INTO consent_versions (consent_id, version, status, purposes, categories, grantees, valid_from, valid_until, channel, reference,
           document_sha256, recorded_by, recorded_at_facility, recorded_at, informed_of_sensitivity, representative, recorded_by_subject)
         VALUES (${p(v.consentId)}::uuid, ${p(v.version)}::integer, ${p(v.status)}, ${p(scope.purposes)}::text[], ${p(scope.categories)}::text[],
           ${p(JSON.stringify(scope.grantees))}::jsonb, ${p(scope.validFrom)}::timestamptz, ${p(scope.validUntil)}::timestamptz, ${p(evidence.channel)},
           ${p(evidence.reference)}, ${p(evidence.documentSha256)}, ${p(evidence.recordedBy)}, ${p(evidence.recordedAtFacility)},
           ${p(evidence.recordedAt)}::timestamptz, ${p(evidence.informedOfSensitivity)}::boolean,
           ${p(v.representative === null ? null : JSON.stringify(v.representative))}::jsonb, ${p(recordedBySubject)})`,
    );
  }

  scheduleExpiry(tx: Tx, expiry: { readonly consentId: string; readonly version: number; readonly endsAt: Date }): void {
    tx.write(
      (p) => `INSERT INTO consent_expiries (consent_id, version, ends_at) VALUES (${p(expiry.consentId)}::uuid, ${p(expiry.version)}::integer, ${p(expiry.endsAt)}::timestamptz)`,
    );
  }

  supersedeExpiries(tx: Tx, consentId: string, beforeVersion: number): void {
    // An end already announced stays announced; the expiry job's claim (FOR UPDATE SKIP LOCKED) and
    // this update serialise on the row, and whichever commits second sees the other's change.
    tx.write(
      (p) =>
        `UPDATE consent_expiries SET superseded = true
         WHERE consent_id = ${p(consentId)}::uuid AND version < ${p(beforeVersion)}::integer AND published_at IS NULL AND NOT superseded`,
    );
  }

  async findById(db: Db, consentId: string): Promise<StoredConsent | undefined> {
    const rows = await db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM consents c JOIN consent_versions v ON v.consent_id = c.consent_id WHERE c.consent_id = $1::uuid ORDER BY v.version`,
      [consentId],
    );
    return groupConsents(rows)[0];
  }

  async listByPatient(db: Db, enterprisePatientId: string, page: { readonly cursor?: string | undefined; readonly limit: number }): Promise<ConsentPage> {
    // UUIDv7 ids sort by creation: newest first is id descending, and the cursor is the last id shown.
    // One more consent than the page is read to know whether another page follows.
    const rows = await db.query<VersionRow>(
      `WITH page AS (
         SELECT consent_id FROM consents
         WHERE enterprise_patient_id = $1::uuid AND ($2::uuid IS NULL OR consent_id < $2::uuid)
         ORDER BY consent_id DESC LIMIT $3::integer)
       SELECT ${VERSION_COLUMNS} FROM page JOIN consents c ON c.consent_id = page.consent_id JOIN consent_versions v ON v.consent_id = c.consent_id
       ORDER BY c.consent_id DESC, v.version`,
      [enterprisePatientId, page.cursor ?? null, page.limit + 1],
    );
    const consents = groupConsents(rows);
    const items = consents.slice(0, page.limit);
    return { items, nextCursor: consents.length > page.limit ? (items[items.length - 1]?.consentId ?? null) : null };
  }

  async holderOf(db: Db, enterprisePatientId: string): Promise<string> {
    // Bounded like the decision point's resolution: a cycle (never expected) cannot loop.
    const [row] = await db.query<{ holder: string }>(
      `WITH RECURSIVE chain(id, depth) AS (
         SELECT $1::uuid, 0
         UNION ALL
         SELECT p.merged_into, c.depth + 1 FROM chain c JOIN patients p ON p.enterprise_patient_id = c.id
         WHERE p.merged_into IS NOT NULL AND c.depth < ${MAX_MERGE_DEPTH})
       SELECT id AS holder FROM chain ORDER BY depth DESC LIMIT 1`,
      [enterprisePatientId],
    );
    return row?.holder ?? enterprisePatientId;
  }

  async relatedFacilities(db: Db, enterprisePatientId: string): Promise<ReadonlySet<string>> {
    const rows = await db.query<{ facility_code: string }>(
      `SELECT facility_code FROM patient_links WHERE enterprise_patient_id = $1::uuid
       UNION
       SELECT v.recorded_at_facility FROM consents c JOIN consent_versions v ON v.consent_id = c.consent_id WHERE c.enterprise_patient_id = $1::uuid`,
      [enterprisePatientId],
    );
    return new Set(rows.map((r) => r.facility_code));
  }
}

/** Rows ordered by consent then version → consents, each with its versions oldest first, in row order. */
function groupConsents(rows: readonly VersionRow[]): StoredConsent[] {
  const byId = new Map<string, { consent: Omit<StoredConsent, 'versions'>; versions: ConsentVersion[] }>();
  for (const row of rows) {
    let entry = byId.get(row.consent_id);
    if (entry === undefined) {
      entry = {
        consent: { consentId: row.consent_id, enterprisePatientId: row.enterprise_patient_id, originalPatientId: row.original_patient_id, createdAt: row.created_at },
        versions: [],
      };
      byId.set(row.consent_id, entry);
    }
    entry.versions.push(versionOfRow(row));
  }
  return [...byId.values()].map(({ consent, versions }) => ({ ...consent, versions }));
}

function versionOfRow(row: VersionRow): ConsentVersion {
  return {
    consentId: row.consent_id,
    version: row.version,
    // Every version reads under the consent's current owner: a merge moves the whole history.
    enterprisePatientId: row.enterprise_patient_id,
    status: row.status,
    scope: { purposes: row.purposes, categories: row.categories, grantees: row.grantees, validFrom: row.valid_from, validUntil: row.valid_until },
    evidence: {
      channel: row.channel,
      reference: row.reference,
      documentSha256: row.document_sha256,
      recordedBy: row.recorded_by,
      recordedAtFacility: row.recorded_at_facility,
      recordedAt: row.recorded_at,
      informedOfSensitivity: row.informed_of_sensitivity,
    },
    representative: row.representative,
  };
}
