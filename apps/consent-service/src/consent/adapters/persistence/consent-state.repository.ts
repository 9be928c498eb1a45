import type { Db } from '@lienthong/persistence';
import { type DataCategory, type PurposeOfUse } from '@lienthong/vn-standards';
import { Injectable } from '@nestjs/common';
import { type ConsentStatus, type Grantee } from '../../domain/consent';
import { type ConsentState, statementView } from '../../domain/decide';
import { ConsentStateSource } from '../../ports/consent-state-source.port';

/** Merges chained further than this are not followed (identity never builds such chains; a cycle must not loop). */
const MAX_MERGE_DEPTH = 8;

const ms = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::bigint`;

/**
 * Everything the decision point needs about a batch of patients, in ONE statement: each requested id
 * resolved through `merged_into` to the patient now holding its consents, whether identity announced
 * it, where it is registered, every version of every consent it holds, and its emergency accesses not
 * yet over (including those declared for a patient since merged into it). Representatives come without their names (the cache never holds one).
 */
const LOAD_STATES = `
WITH RECURSIVE chain AS (
  SELECT r.id AS requested, r.id AS current, 0 AS depth FROM unnest($1::uuid[]) AS r(id)
  UNION ALL
  SELECT c.requested, p.merged_into, c.depth + 1
    FROM chain c JOIN patients p ON p.enterprise_patient_id = c.current
   WHERE p.merged_into IS NOT NULL AND c.depth < ${MAX_MERGE_DEPTH}
), resolved AS (
  SELECT DISTINCT ON (requested) requested, current FROM chain ORDER BY requested, depth DESC
)
SELECT r.requested::text AS requested,
       r.current::text AS patient_id,
       EXISTS (SELECT 1 FROM patients p WHERE p.enterprise_patient_id = r.current) AS known,
       ARRAY(SELECT DISTINCT l.facility_code::text FROM patient_links l WHERE l.enterprise_patient_id = r.current) AS care_facilities,
       (SELECT coalesce(json_agg(json_build_object(
                 'consentId', v.consent_id, 'version', v.version, 'status', v.status,
                 'purposes', v.purposes, 'categories', v.categories, 'grantees', v.grantees,
                 'validFrom', ${ms('v.valid_from')}, 'validUntil', ${ms('v.valid_until')}, 'recordedAt', ${ms('v.recorded_at')},
                 'subjectBirthDate', v.representative->>'subjectBirthDate',
                 'childConsented', (v.representative->>'childConsented')::boolean)), '[]'::json)
          FROM consents c JOIN consent_versions v ON v.consent_id = c.consent_id
         WHERE c.enterprise_patient_id = r.current) AS versions,
       (SELECT coalesce(json_agg(json_build_object(
                 'id', e.id, 'facilityCode', e.facility_code, 'grantedAt', ${ms('e.granted_at')}, 'expiresAt', ${ms('e.expires_at')})), '[]'::json)
          FROM emergency_accesses e
         WHERE e.expires_at > now()
           AND (e.enterprise_patient_id = r.current
                -- an access declared before its patient was merged into this one still holds
                OR e.enterprise_patient_id IN (SELECT m.enterprise_patient_id FROM patients m WHERE m.merged_into = r.current))) AS emergency_accesses
  FROM resolved r`;

interface VersionRow {
  consentId: string;
  version: number;
  status: ConsentStatus;
  purposes: PurposeOfUse[];
  categories: DataCategory[];
  grantees: Grantee[];
  validFrom: number;
  validUntil: number | null;
  recordedAt: number;
  subjectBirthDate: string | null;
  childConsented: boolean | null;
}

interface StateRow {
  requested: string;
  patient_id: string;
  known: boolean;
  care_facilities: string[];
  versions: VersionRow[];
  emergency_accesses: { id: string; facilityCode: string; grantedAt: number; expiresAt: number }[];
}

/** The decision point's truth in Postgres (ConsentStateSource). */
@Injectable()
export class ConsentStateRepository extends ConsentStateSource {
  async load(db: Db, enterprisePatientIds: readonly string[]): Promise<Map<string, ConsentState>> {
    const states = new Map<string, ConsentState>();
    if (enterprisePatientIds.length === 0) return states;
    const rows = await db.query<StateRow>(LOAD_STATES, [[...new Set(enterprisePatientIds)]]);
    for (const row of rows) {
      states.set(row.requested, {
        enterprisePatientId: row.patient_id,
        known: row.known,
        careFacilities: row.care_facilities,
        versions: row.versions.map((v) =>
          statementView({
            consentId: v.consentId,
            version: v.version,
            status: v.status,
            scope: {
              purposes: v.purposes,
              categories: v.categories,
              grantees: v.grantees,
              validFrom: new Date(v.validFrom),
              validUntil: v.validUntil === null ? null : new Date(v.validUntil),
            },
            evidence: { recordedAt: new Date(v.recordedAt) },
            representative: v.subjectBirthDate === null ? null : { subjectBirthDate: v.subjectBirthDate, childConsented: v.childConsented === true },
          }),
        ),
        emergencyAccesses: row.emergency_accesses,
      });
    }
    return states;
  }
}
