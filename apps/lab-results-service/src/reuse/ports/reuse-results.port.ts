import { type LabResult } from '@lienthong/contracts';
import type { Db } from '@lienthong/persistence';

/** The source-line codes a check's tests are performed under (from the rule set in effect). */
export interface LineCodes {
  readonly mohIndicatorCodes: readonly string[];
  readonly serviceCodes: readonly string[];
}

/**
 * The stored results a reuse check weighs (the ingest's `lab_results`: the latest version of each
 * result line), read through this context's own repository.
 */
export abstract class ReuseResults {
  /**
   * The latest version of every result of the patient (as stored now: merges have moved results to
   * the survivor) whose line carries one of the indicator codes, or one of the service codes —
   * cancelled ones included, so the rules can say why nothing is reusable.
   */
  abstract latestOfPatient(db: Db, enterprisePatientId: string, codes: LineCodes): Promise<LabResult[]>;
}
