import { type LabResult } from '@lienthong/contracts';
import type { Tx } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type CurrentResult, type PlannedVersion } from '../../domain/versioning';
import { LabResultStore } from '../../ports/lab-result-store.port';

interface CurrentRow {
  result_id: string;
  line_key: string;
  version: number;
  status: LabResult['status'];
  content_hash: string;
  enterprise_patient_id: string;
  result: LabResult;
}

/** `lab_results` and `lab_result_versions`, each statement once. */
@Injectable()
export class LabResultRepository extends LabResultStore {
  async currentOfVisit(tx: Tx, facilityCode: string, maLk: string): Promise<CurrentResult[]> {
    const rows = await tx.query<CurrentRow>(
      `SELECT result_id, line_key, version, status, content_hash, enterprise_patient_id, result FROM lab_results WHERE facility_code = $1 AND ma_lk = $2`,
      [facilityCode, maLk],
    );
    // The column is the current holder (a merge moves it); the stored result says who it was recorded for.
    return rows.map((r) => ({
      resultId: r.result_id,
      lineKey: r.line_key,
      version: r.version,
      status: r.status,
      contentHash: r.content_hash,
      result: { ...r.result, enterprisePatientId: r.enterprise_patient_id },
    }));
  }

  store(tx: Tx, facilityCode: string, maLk: string, versions: readonly PlannedVersion[], submissionId: string | null, at: Date): void {
    if (versions.length === 0) return;
    const rows = JSON.stringify(
      versions.map(({ result, contentHash }) => ({
        result_id: result.resultId,
        line_key: result.source.lineKey,
        enterprise_patient_id: result.enterprisePatientId,
        catalogue_code: result.test.catalogueCode,
        version: result.version,
        status: result.status,
        collected_at: result.collectedAt,
        performed_at: result.performedAt,
        result_at: result.resultAt,
        qualitative: result.value?.kind === 'coded' ? result.value.code : null,
        content_hash: contentHash,
        result,
      })),
    );
    tx.write(
      (p) => `INSERT INTO lab_result_versions (result_id, version, status, content_hash, result, submission_id, recorded_at)
        SELECT r.result_id, r.version, r.status, r.content_hash, r.result, ${p(submissionId)}::uuid, ${p(at)}::timestamptz
          FROM jsonb_to_recordset(${p(rows)}::jsonb) AS r(result_id uuid, version integer, status text, content_hash text, result jsonb)`,
    );
    tx.write(
      (p) => `INSERT INTO lab_results (result_id, facility_code, ma_lk, line_key, enterprise_patient_id, catalogue_code, version, status,
                collected_at, performed_at, result_at, qualitative, content_hash, result, updated_at)
        SELECT r.result_id, ${p(facilityCode)}, ${p(maLk)}, r.line_key, r.enterprise_patient_id, r.catalogue_code, r.version, r.status,
               r.collected_at, r.performed_at, r.result_at, r.qualitative, r.content_hash, r.result, ${p(at)}::timestamptz
          FROM jsonb_to_recordset(${p(rows)}::jsonb) AS r(result_id uuid, line_key text, enterprise_patient_id uuid, catalogue_code text, version integer,
               status text, collected_at timestamptz, performed_at timestamptz, result_at timestamptz, qualitative text, content_hash text, result jsonb)
        ON CONFLICT (result_id) DO UPDATE SET enterprise_patient_id = EXCLUDED.enterprise_patient_id, catalogue_code = EXCLUDED.catalogue_code,
          version = EXCLUDED.version, status = EXCLUDED.status, collected_at = EXCLUDED.collected_at, performed_at = EXCLUDED.performed_at,
          result_at = EXCLUDED.result_at, qualitative = EXCLUDED.qualitative, content_hash = EXCLUDED.content_hash, result = EXCLUDED.result,
          updated_at = EXCLUDED.updated_at`,
    );
  }
}
