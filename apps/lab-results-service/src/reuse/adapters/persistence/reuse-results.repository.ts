import { type LabResult } from '@lienthong/contracts';
import { type Db } from '@lienthong/persistence';
import { Injectable } from '@nestjs/common';
import { type LineCodes, ReuseResults } from '../../ports/reuse-results.port';

interface Row {
  enterprise_patient_id: string;
  version: number;
  status: LabResult['status'];
  result: LabResult;
}

/**
 * The reuse check's read of the ingest's `lab_results` (one row per result line: its latest version,
 * the canonical result in `result`, the current holder in `enterprise_patient_id` — a merge moves it).
 * One statement on the (enterprise_patient_id, …) index, narrowed to the lines of the tests asked.
 */
@Injectable()
export class ReuseResultsRepository extends ReuseResults {
  async latestOfPatient(db: Db, enterprisePatientId: string, codes: LineCodes): Promise<LabResult[]> {
    const rows = await db.query<Row>(
      `SELECT enterprise_patient_id, version, status, result FROM lab_results
        WHERE enterprise_patient_id = $1::uuid
          AND (result #>> '{test,mohIndicatorCode}' = ANY($2::text[]) OR result #>> '{test,serviceCode}' = ANY($3::text[]))`,
      [enterprisePatientId, codes.mohIndicatorCodes, codes.serviceCodes],
    );
    return rows.map((r) => ({ ...r.result, enterprisePatientId: r.enterprise_patient_id, version: r.version, status: r.status }));
  }
}
