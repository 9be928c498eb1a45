import type { Tx } from '@lienthong/persistence';
import { type CurrentResult, type PlannedVersion } from '../domain/versioning';

/** `lab_results` (the latest version of each result line, what the reuse check reads) and `lab_result_versions` (every version). */
export abstract class LabResultStore {
  /** The latest version of every line stored for this visit (cancelled ones included). */
  abstract currentOfVisit(tx: Tx, facilityCode: string, maLk: string): Promise<CurrentResult[]>;
  /** Stores the versions and makes each its result's latest; `submissionId` names the file it came from (null for none). */
  abstract store(tx: Tx, facilityCode: string, maLk: string, versions: readonly PlannedVersion[], submissionId: string | null, at: Date): void;
}
